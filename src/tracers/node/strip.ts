// TypeScript -> JavaScript at load time with sucrase: pure JavaScript (bundles into dist, works in
// the packaged extension), keeps every line where it was, handles enums and parameter properties,
// (columns are recovered by instrument.ts's token alignment: sucrase's own source map loses them
// after the first template literal with a substitution).
import { transform } from 'sucrase';
import type { StripTypes } from './instrument';

export const stripTypes: StripTypes = (source, file, toCommonJS) => {
  const out = transform(source, {
    transforms: toCommonJS ? ['typescript', 'imports'] : ['typescript'],
    filePath: file,
    disableESTransforms: true,
    preserveDynamicImport: true,
  });
  return { code: out.code };
};
