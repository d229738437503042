// Asks the Python extension (ms-python.python), when installed, which interpreter the user
// selected for a file. Its public API: exports.environments.getActiveEnvironmentPath(resource)
// and resolveEnvironment(path) -> { executable: { uri } }. No hard dependency: any failure
// (not installed, older API, activation error) just means "no answer".
import * as vscode from 'vscode';

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}
interface ResolvedEnvironment {
  readonly executable: { readonly uri: vscode.Uri | undefined };
}
interface PythonExtensionApi {
  readonly ready?: Promise<void>;
  readonly environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
  };
}

export async function pythonFromPythonExtension(resource: vscode.Uri, log: (line: string) => void): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    await api?.ready;
    const environments = api?.environments;
    if (!environments) return undefined;
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? (active.path || undefined);
  } catch (error) {
    log(`The Python extension did not say which interpreter is selected (${String(error)}); using the settings / PATH instead.`);
    return undefined;
  }
}
