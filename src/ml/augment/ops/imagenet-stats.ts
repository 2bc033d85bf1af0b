/** torchvision's ImageNet normalisation constants (tfjs-free: presets are plain data the page reads). */
/** ImageNet channel means (RGB), torchvision's usual constants. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];
