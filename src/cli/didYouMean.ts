import leven from "leven";

/**
 * The candidate nearest to `word` by edit distance (leven), if near enough to be a plausible typo: at most a third of
 * the longer word's letters differ, at least 2 (a swap of two letters) and at most 3; 1 for words of up to 3 letters. A
 * candidate that starts with `word` also matches.
 * @example closestName("marign", ["margin", "value"]) // "margin"
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = leven(w, c.toLowerCase());
    const longer = Math.max(w.length, c.length);
    const limit = longer <= 3 ? 1 : Math.min(3, Math.max(2, Math.floor(longer / 3)));
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined && w.length >= 2) best = candidates.find((c) => c.toLowerCase().startsWith(w));
  return best;
}

/** `did you mean X? ` hint (empty when nothing is close) followed by the full list. */
export function suggestion(
  word: string,
  candidates: readonly string[],
  show: (c: string) => string = (c) => c,
): string {
  const near = closestName(word, candidates);
  return `${near !== undefined ? `did you mean ${show(near)}? ` : ""}known: ${candidates.map(show).join(", ")}`;
}
