/**
 * A weights file as a state_dict, whatever its format: `.safetensors` (read as is) or a PyTorch
 * `.pth` / `.pt` (torch.save's zip, read by the restricted unpickler and unwrapped from a training
 * checkpoint where needed). The report says what was taken, so the page can tell the user.
 */
import { readSafetensors, type SafetensorsTensor } from './safetensors';
import { readPth } from './pth/read-pth';
import { unwrapStateDict } from './pth/unwrap-state-dict';

export interface WeightsFile {
  format: 'safetensors' | 'pth';
  /** Weights by state_dict key. */
  tensors: Record<string, SafetensorsTensor>;
  /** The safetensors header's __metadata__ ({} for .pth). */
  metadata: Record<string, string>;
  /** What was taken from the file, in words ('' for a plain safetensors file). */
  took: string;
  /** Entries of the chosen dict that were left out (other prefixes, non-tensor values). */
  skipped: string[];
  /** Globals the pickle named that were kept as inert placeholders (argparse.Namespace, …). */
  placeholders: string[];
}

/** Whether `bytes` start like torch.save output (a zip, or a legacy pickle stream). */
function looksPickled(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return true;
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
}

/**
 * Reads `bytes` as a state_dict. Throws an Error naming the file and the problem (a refused
 * global, the legacy format's recipe, a malformed header, a truncated zip, no tensors).
 */
export function readWeightsFile(bytes: Uint8Array, fileName = ''): WeightsFile {
  if (looksPickled(bytes)) {
    const pth = readPth(bytes, fileName);
    const sd = unwrapStateDict(pth.root);
    return {
      format: 'pth',
      tensors: sd.tensors,
      metadata: {},
      took: sd.took,
      skipped: sd.skipped,
      placeholders: pth.placeholders,
    };
  }
  const st = readSafetensors(bytes, fileName);
  return {
    format: 'safetensors',
    tensors: st.tensors,
    metadata: st.metadata,
    took: '',
    skipped: [],
    placeholders: [],
  };
}
