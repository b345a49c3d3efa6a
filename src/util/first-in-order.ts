// The first k of n items in the order a comparator gives, by insertion as the items go by: what sorting all n and
// keeping k gives (for a comparator that is a total order: no NaN in what it compares), at n log k instead of n log n.
// units.json and the feature groups keep each unit's (group's) top rows this way.

/** Items 0..n-1, the first k of them in `cmp` order (ties as cmp breaks them). */
export function firstInOrder(n: number, k: number, cmp: (a: number, b: number) => number): number[] {
  const order: number[] = [];
  if (k <= 0) return order;
  for (let i = 0; i < n; i++) {
    if (order.length === k && cmp(i, order[k - 1]) >= 0) continue;
    let q = Math.min(order.length, k - 1);
    order[q] = i;
    while (q > 0 && cmp(order[q], order[q - 1]) < 0) { [order[q], order[q - 1]] = [order[q - 1], order[q]]; q--; }
  }
  return order;
}
