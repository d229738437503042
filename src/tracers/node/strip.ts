// TypeScript -> JavaScript at load time with sucrase: pure JavaScript (bundles into dist, works in
// the packaged extension), keeps every line where it was, handles enums and parameter properties,
// and gives a token-level source map so await sites keep their TypeScript columns.
import { transform } from 'sucrase';
import type { StripTypes } from './instrument';

export const stripTypes: StripTypes = (source, file, toCommonJS) => {
  const out = transform(source, {
    transforms: toCommonJS ? ['typescript', 'imports'] : ['typescript'],
    filePath: file,
    sourceMapOptions: { compiledFilename: file },
    disableESTransforms: true,
    preserveDynamicImport: true,
  });
  return { code: out.code, mappings: out.sourceMap ? (out.sourceMap as { mappings: string }).mappings : null };
};
