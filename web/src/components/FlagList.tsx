import type { Flag } from "../apiTypes.js";

/** A flag as any answer carries it (the report's codes are a closed list; the market views' are strings). */
type AnyFlag = Omit<Flag, "code"> & { code: string };

import { humaniseSeconds } from "../format.js";

/** Flags with their severity, raw second counts in the messages shown in human units. */
export function FlagList({ flags, testId }: { flags: AnyFlag[]; testId?: string }) {
  if (flags.length === 0) return <p class="muted">none</p>;
  const order = { critical: 0, warning: 1, info: 2 } as const;
  return (
    <ul class="flags" data-testid={testId}>
      {[...flags]
        .sort((a, b) => order[a.severity] - order[b.severity])
        .map((f, i) => (
          <li key={`${f.code}-${i}`} title={f.path ?? ""}>
            <span class={`badge ${f.severity}`}>{f.code}</span> {humaniseSeconds(f.message)}
          </li>
        ))}
    </ul>
  );
}
