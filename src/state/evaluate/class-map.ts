/** The OOD class map: an evaluated dataset's classes → the run's classes. */

/** Default class map: exact names matched, the rest → `unmapped` (a run class index, or -1 = left out). */
export function defaultClassMap(
  evalClasses: string[],
  runClasses: string[],
  unmapped: number,
): number[] {
  return evalClasses.map((c) => {
    const k = runClasses.indexOf(c);
    return k >= 0 ? k : unmapped;
  });
}
