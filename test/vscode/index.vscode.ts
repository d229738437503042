// Entry point that @vscode/test-electron loads inside the desktop extension host
// (extensionTestsPath): runs the bundled mocha suites next to this file.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: true });
  for (const name of readdirSync(__dirname)) {
    if (name.endsWith('.suite.js')) mocha.addFile(join(__dirname, name));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} desktop VS Code test(s) failed`)) : resolve()));
  });
}
