/**
 * The safetensors file format (Hugging Face, https://github.com/huggingface/safetensors), read and
 * written without dependencies:
 *   8 bytes   N, little-endian unsigned 64-bit: the header's length in bytes
 *   N bytes   UTF-8 JSON: {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 *             "__metadata__": {"<key>": "<string>"}}   (offsets relative to the byte after the header)
 *   rest      the tensors' raw little-endian row-major bytes
 * The writer pads the header with spaces to a multiple of 8 bytes (as the reference implementation
 * does) so every tensor starts aligned, and lays tensors out in the order given.
 * Pickled PyTorch files (.pt/.pth: torch.save's zip or legacy pickle) are refused with a message
 * saying how to convert them: unpickling runs code from the file, which simlab never does.
 */

export {
  floatToHalf,
  halfToFloat,
  SAFETENSORS_DTYPES,
  toFloat32,
  type SafetensorsData,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsInput,
  type SafetensorsTensor,
  type WritableDtype,
} from './safetensors/dtypes';
export { pickledTorchKind, readSafetensors } from './safetensors/read';
export { writeSafetensors } from './safetensors/write';
