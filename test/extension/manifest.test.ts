// The extension manifest (package.json) against the code: every command the code registers is
// declared with a title and the category, menus only reference declared commands, every setting
// the code reads is documented, and the capabilities that keep tracing out of untrusted and
// virtual workspaces are declared.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, SETTINGS, TIMELINE_VIEW_TYPE, TRACEABLE_LANGUAGES } from '../../src/extension/ids';
import { WEBVIEW_VIEW_TYPE } from '../../src/protocol';
import { annotationText } from '../../src/extension/hoverText';
import type { AwaitSiteStats } from '../../src/model/types';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionSources = readdirSync(join(root, 'src', 'extension'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(root, 'src', 'extension', f), 'utf8'))
  .join('\n');

const props = (): Record<string, { markdownDescription?: string }> => pkg.contributes.configuration.properties;

interface CommandEntry { command: string; title: string; category?: string; icon?: string }
interface MenuEntry { command: string; when?: string; group?: string }

describe('extension manifest', () => {
  const commands: CommandEntry[] = pkg.contributes.commands;
  const declared = new Set(commands.map((c) => c.command));

  it('declares every command id the extension registers, each with a title in the Await Lens category', () => {
    for (const id of Object.values(COMMANDS)) assert.ok(declared.has(id), `${id} is registered but not declared`);
    for (const c of commands) {
      assert.ok(c.title && c.title.trim(), `${c.command} has no title`);
      assert.equal(c.category, 'Await Lens', `${c.command} category`);
      assert.ok(Object.values(COMMANDS).includes(c.command as never), `${c.command} is declared but the extension does not register it`);
    }
    // The palette titles the issue asks for.
    const title = (id: string) => commands.find((c) => c.command === id)?.title;
    assert.equal(title(COMMANDS.traceCurrentFile), 'Trace Current File');
    assert.equal(title(COMMANDS.stopTracing), 'Stop Tracing');
    assert.equal(title(COMMANDS.showTimeline), 'Show Timeline');
    assert.equal(title(COMMANDS.toggleAnnotations), 'Toggle Await Annotations');
  });

  it('menus reference declared commands; the run button shows for traceable languages, Stop only while tracing', () => {
    const menus: Record<string, MenuEntry[]> = pkg.contributes.menus;
    for (const [menu, entries] of Object.entries(menus)) {
      for (const e of entries) assert.ok(declared.has(e.command), `${menu} references undeclared ${e.command}`);
    }
    const titleRun = menus['editor/title'].find((e) => e.command === COMMANDS.traceCurrentFile)!;
    assert.ok(titleRun, 'editor/title has the run button');
    assert.match(titleRun.group ?? '', /^navigation/, 'the run button sits in the title bar, not the overflow menu');
    assert.ok(commands.find((c) => c.command === COMMANDS.traceCurrentFile)!.icon, 'the run button has an icon');
    for (const language of TRACEABLE_LANGUAGES) assert.ok(titleRun.when!.includes(language), `run button for ${language}`);
    assert.ok(menus['editor/context'].some((e) => e.command === COMMANDS.traceCurrentFile), 'context menu entry');
    for (const menu of ['editor/title', 'editor/context', 'commandPalette']) {
      const stop = menus[menu].find((e) => e.command === COMMANDS.stopTracing)!;
      assert.ok(stop, `${menu} has Stop`);
      assert.equal(stop.when, 'awaitLens.tracing', `${menu}: Stop only while tracing`);
    }
    const internal = menus.commandPalette.find((e) => e.command === COMMANDS.showInTimeline);
    assert.equal(internal?.when, 'false', 'the hover-link command stays out of the palette');
    // The context key the `when` clauses use is the one the code sets.
    assert.ok(extensionSources.includes("CONTEXT_TRACING"), 'the code sets the tracing context key');
  });

  it('documents every setting the code reads, with the defaults the issue names', () => {
    const props: Record<string, { default?: unknown; description?: string; markdownDescription?: string; type: string }> =
      pkg.contributes.configuration.properties;
    const keys = Object.values(SETTINGS).filter((k) => k !== SETTINGS.section).map((k) => `awaitLens.${k}`);
    for (const key of keys) {
      const p = props[key];
      assert.ok(p, `${key} is read by the code but not declared`);
      assert.ok((p.description ?? p.markdownDescription ?? '').length > 30, `${key} needs a real description`);
    }
    for (const key of Object.keys(props)) assert.ok(keys.includes(key), `${key} is declared but never read`);
    assert.equal(props['awaitLens.blockingThresholdMs'].default, 100);
    assert.equal(props['awaitLens.annotations'].default, true);
    assert.equal(props['awaitLens.traceDirectory'].default, '.awaitlens');
  });

  it("shows in the annotations setting's description exactly what an annotation looks like", () => {
    const text = props()['awaitLens.annotations'].markdownDescription ?? '';
    const stats = (count: number, total: number, max: number) =>
      ({ count, total, mean: total / count, max } as unknown as AwaitSiteStats);
    for (const example of [annotationText(stats(1, 2e9, 2e9)), annotationText(stats(3, 3.06e9, 2e9))]) {
      assert.ok(text.includes(`\`${example}\``), `the description shows ${example}: ${text}`);
    }
    assert.ok(!text.includes('⏸'), 'annotations use ‖, not ⏸');
  });

  it('refuses untrusted and virtual workspaces, and restores the timeline after a reload', () => {
    const caps = pkg.capabilities;
    assert.equal(caps.untrustedWorkspaces.supported, 'limited');
    assert.ok(caps.untrustedWorkspaces.description.length > 20);
    for (const key of ['awaitLens.pythonPath', 'awaitLens.nodePath']) {
      assert.ok(caps.untrustedWorkspaces.restrictedConfigurations.includes(key), `${key}: a workspace must not pick the interpreter while untrusted`);
    }
    assert.equal(caps.virtualWorkspaces.supported, false);
    assert.ok(extensionSources.includes('workspace.isTrusted'), 'trust is also checked at run time');
    assert.equal(TIMELINE_VIEW_TYPE, WEBVIEW_VIEW_TYPE, 'extension and webview agree on the view type');
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${TIMELINE_VIEW_TYPE}`));
  });

  it('has what the marketplace needs', () => {
    assert.equal(pkg.main, './dist/extension.js');
    assert.equal(pkg.license, 'MIT');
    assert.ok(existsSync(join(root, 'LICENSE')));
    assert.ok(pkg.repository?.url);
    assert.ok(pkg.categories.length && pkg.keywords.length >= 5 && pkg.galleryBanner.color);
    const icon = readFileSync(join(root, pkg.icon));
    assert.equal(icon.subarray(1, 4).toString(), 'PNG');
    assert.equal(icon.readUInt32BE(16), 128, 'icon width');
    assert.equal(icon.readUInt32BE(20), 128, 'icon height');
    assert.ok(pkg.scripts.package, 'npm run package exists');
  });
});
