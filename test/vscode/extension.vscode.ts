// The desktop counterpart of test/e2e: the extension loaded from this repo into a real
// desktop VS Code by @vscode/test-electron (`npm run test:vscode`, where VS Code can be
// downloaded). Same workspace programs and the same judgement of traces and hovers as the
// code-server suite (test/e2e/traceFacts.ts), through the extension API instead of the UI.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { pidsMatching, waitForNoProcess } from '../e2e/processes';
import { defaultTracePath, hasExit, hoverProblems, SEED_GATHER, traceFacts, waitForTrace, type TraceFacts } from '../e2e/traceFacts';
import type { TraceRecord } from '../../src/trace/format';

const EXTENSION_ID = 'awaitlens.await-lens';

function workspaceFile(name: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run opens the e2e workspace folder');
  return join(folder.uri.fsPath, name);
}

async function openInEditor(file: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(file);
  return vscode.window.showTextDocument(document);
}

/** Hover contents as plain text (markdown kept as written). */
function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

async function traceActiveEditor(program: string, ready: (r: TraceRecord[]) => boolean): Promise<TraceRecord[]> {
  // The command may resolve when the run starts or when it ends; the trace file says which.
  void vscode.commands.executeCommand('awaitLens.traceCurrentFile');
  return waitForTrace(defaultTracePath(program), ready, 60_000);
}

describe('desktop VS Code: Await Lens extension', function () {
  this.timeout(120_000);

  before(async function () {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    await extension.activate();
  });

  it('registers every command its manifest contributes', async function () {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of manifest.contributes.commands) assert.ok(registered.has(command), `${command} is not registered`);
  });

  describe('Trace Current File on the gather example, then hover its awaits', function () {
    let program: string;
    let facts: TraceFacts;
    let editor: vscode.TextEditor;

    before(async function () {
      program = workspaceFile(SEED_GATHER.python);
      editor = await openInEditor(program);
      facts = traceFacts(await traceActiveEditor(program, hasExit), program);
    });

    it('writes a trace with every gathered task suspended at its await', function () {
      const withWaits = facts.tasks.filter((t) => t.suspendLines.length);
      assert.ok(withWaits.length >= 4, `only ${withWaits.length} tasks suspended in the program`);
      const lines = readFileSync(program, 'utf8').split('\n');
      for (const line of facts.awaitLines.keys()) assert.match(lines[line - 1], /\bawait\b/);
    });

    it('answers a hover on each traced await with counts, durations and what it waited on', async function () {
      // The hover provider reads the trace once the extension has loaded it; give it a moment.
      for (const line of facts.awaitLines.values()) {
        const col = editor.document.lineAt(line.line - 1).text.indexOf('await');
        const position = new vscode.Position(line.line - 1, col + 1);
        let text = '';
        const deadline = Date.now() + 10_000;
        while (!/Await Lens/.test(text) && Date.now() < deadline) {
          text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position));
          if (!/Await Lens/.test(text)) await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual(hoverProblems(text, line), [], `hover at line ${line.line}:\n${text}`);
      }
    });
  });

  it('Stop Tracing ends a program that never ends and keeps its trace', async function () {
    const program = workspaceFile('ticker_forever.py');
    await openInEditor(program);
    await traceActiveEditor(program, (r) => r.filter((x) => x.type === 'suspend').length >= 10);
    assert.ok((await pidsMatching(program)).length > 0, 'the program runs');
    await vscode.commands.executeCommand('awaitLens.stopTracing');
    assert.deepEqual(await waitForNoProcess(program, 15_000), [], 'still running after Stop Tracing');
    const facts = traceFacts(await waitForTrace(defaultTracePath(program), () => true), program);
    assert.ok(facts.tasks.some((t) => t.suspendLines.length > 0), 'the partial trace is kept');
  });
});
