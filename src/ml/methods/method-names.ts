/** The training methods by name (tfjs-free: configs, storage and the page use them). */
export type MethodName = 'supervised' | 'simclr' | 'byol' | 'simsiam' | 'mocov2';
export const METHOD_NAMES: readonly MethodName[] = [
  'supervised',
  'simclr',
  'byol',
  'simsiam',
  'mocov2',
];
