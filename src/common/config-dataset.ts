/**
 * Which stored dataset an imported run config (JSON kept by the user, maybe from another machine)
 * trains on: its own when stored with the same images, else the one with the same images under
 * another id, else a stand-in of the same image size (labelled first), said in a note. Pure, no tfjs.
 */
import type { DatasetRef } from '../ml/train/config';
import type { DatasetMeta } from '../storage/schema';

export interface ConfigDataset {
  dataset: DatasetRef;
  /** Why the dataset changed (null when the config's own dataset is stored). */
  note: string | null;
}

/** The dataset reference an imported config should use among the ready `stored` datasets (null when none is stored). */
export function configDataset(
  ref: DatasetRef,
  stored: Pick<DatasetMeta, 'id' | 'name' | 'fingerprint' | 'size' | 'status' | 'classes'>[],
): ConfigDataset | null {
  const ready = stored.filter((d) => d.status === 'ready');
  const asRef = (d: (typeof ready)[number]): DatasetRef => ({
    id: d.id,
    name: d.name,
    fingerprint: d.fingerprint,
    size: d.size,
  });
  const own = ready.find((d) => d.id === ref.id && d.fingerprint === ref.fingerprint);
  if (own) return { dataset: asRef(own), note: null };
  const same = ready.find((d) => d.fingerprint === ref.fingerprint);
  if (same)
    return {
      dataset: asRef(same),
      note: `its dataset “${ref.name}” is stored here as “${same.name}” (same images): the form uses it`,
    };
  const bySize = [...ready].sort(
    (a, b) => Number(b.classes.length > 0) - Number(a.classes.length > 0),
  );
  const stand = bySize.find((d) => d.size === ref.size) ?? bySize[0];
  if (!stand) return null;
  const size =
    stand.size === ref.size
      ? `same ${ref.size} px images`
      : `${stand.size} px images instead of ${ref.size} px`;
  return {
    dataset: asRef(stand),
    note: `its dataset “${ref.name}” is not stored here: the form uses “${stand.name}” (${size}) with the config's other settings; choosing another dataset in the list resets the form to that method's defaults`,
  };
}
