/**
 * One step of a Brownian-bridge construction: W(t[target]) from the already built W(t[left]) and W(t[right])
 * (index -1 = time 0, W = 0; right -1 = none, a plain step from left) and one standard normal:
 * W = wLeft W(left) + wRight W(right) + sd z.
 */
export interface BridgeStep {
  target: number;
  left: number;
  right: number;
  wLeft: number;
  wRight: number;
  sd: number;
}

/**
 * Brownian-bridge order for time points t_0 < ... < t_{n-1}: the last point first (it carries the whole variance),
 * then the midpoints of the remaining intervals, breadth first, so the first normals (the best quasi-random
 * coordinates) fix the path's large-scale shape and later ones only its small in-between wiggles (Caflisch, Morokoff
 * and Owen 1997; Glasserman, Monte Carlo Methods in Financial Engineering, 2004, section 3.1).
 */
export function brownianBridgePlan(timesDays: ArrayLike<number>): BridgeStep[] {
  const n = timesDays.length;
  if (n === 0) return [];
  const t = (i: number) => (i < 0 ? 0 : timesDays[i]!);
  const steps: BridgeStep[] = [{ target: n - 1, left: -1, right: -1, wLeft: 0, wRight: 0, sd: Math.sqrt(t(n - 1)) }];
  // Intervals (left, right) with both ends built and points strictly inside, breadth first.
  const queue: Array<[number, number]> = [[-1, n - 1]];
  while (queue.length > 0) {
    const [l, r] = queue.shift()!;
    if (r - l < 2) continue;
    const m = (l + r) >> 1;
    const span = t(r) - t(l);
    steps.push({
      target: m,
      left: l,
      right: r,
      wLeft: (t(r) - t(m)) / span,
      wRight: (t(m) - t(l)) / span,
      sd: Math.sqrt(((t(m) - t(l)) * (t(r) - t(m))) / span),
    });
    queue.push([l, m], [m, r]);
  }
  return steps;
}
