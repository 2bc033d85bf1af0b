/** Colours of the pairs lab's charts: one per split, and same vs different pairs. */
export const SPLIT_COLORS: Record<string, string> = {
  train: '#6b7280',
  test: '#2563eb',
  colour: '#059669',
  texture: '#d97706',
};
export const SAME_COLOR = '#10b981';
export const DIFFERENT_COLOR = '#ef4444';
