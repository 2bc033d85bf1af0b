/**
 * Trustworthiness of an embedding (Venna & Kaski 2001), computed exactly as
 * sklearn.manifold.trustworthiness (euclidean): penalises points that are among the k nearest
 * neighbours in the embedding but not in the input space, by how far down the input-space ranking
 * they sit. 1 is perfect. O(n² (d + k)) time, O(n) extra memory; meant for tests and benches.
 */

/** Trustworthiness in [0, 1] of y [n × dy] as an embedding of x [n × dx] (row-major), k neighbours; k < n / 2. */
export function trustworthiness(
  x: ArrayLike<number>,
  dx: number,
  y: ArrayLike<number>,
  dy: number,
  k: number,
): number {
  const n = x.length / dx;
  if (y.length !== n * dy) throw new Error(`x has ${n} rows but y has ${y.length / dy}`);
  if (!(k >= 1 && k < n / 2)) throw new Error(`k must be in [1, n/2), got ${k} for n = ${n}`);
  const distX = new Float64Array(n),
    distY = new Float64Array(n);
  const nbrY = new Int32Array(k),
    nbrX = new Int32Array(k);
  let t = 0;
  for (let i = 0; i < n; i++) {
    sqDistRow(x, dx, n, i, distX);
    sqDistRow(y, dy, n, i, distY);
    kNearest(distY, i, k, nbrY);
    // Neighbours that are also among the k nearest in input space (same tie order) rank ≤ k and
    // add nothing: only the others need their rank counted.
    kNearest(distX, i, k, nbrX);
    for (let m = 0; m < k; m++) {
      const j = nbrY[m];
      if (nbrX.includes(j)) continue;
      // Input-space rank of j (1 = nearest): points strictly closer to i, plus those at equal
      // distance with a lower index (a stable argsort), plus one.
      const dj = distX[j];
      let rank = 1;
      for (let l = 0; l < n; l++) {
        if (l === i || l === j) continue;
        const dl = distX[l];
        if (dl < dj || (dl === dj && l < j)) rank++;
      }
      if (rank > k) t += rank - k;
    }
  }
  return 1 - t * (2 / (n * k * (2 * n - 3 * k - 1)));
}

function sqDistRow(a: ArrayLike<number>, d: number, n: number, i: number, out: Float64Array): void {
  const oi = i * d;
  for (let l = 0; l < n; l++) {
    const ol = l * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const diff = a[oi + c] - a[ol + c];
      s += diff * diff;
    }
    out[l] = s;
  }
}

/** Indices of the k smallest dist entries other than i (ties: lower index first). */
function kNearest(dist: Float64Array, i: number, k: number, out: Int32Array): void {
  let filled = 0;
  for (let l = 0; l < dist.length; l++) {
    if (l === i) continue;
    const dl = dist[l];
    if (filled === k && dl >= dist[out[k - 1]]) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && dist[out[p - 1]] > dl) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = l;
  }
}
