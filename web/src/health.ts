import { num } from "./format.js";

/** Colour class of a health ratio in the account's band: below 1 liquidatable, below 1.5 or out of band a warning. */
export function healthClass(health: string | null | undefined, band?: string | null): "bad" | "warn" | "good" {
  const v = num(health);
  if (band === "below-maintenance" || (Number.isFinite(v) && v < 1)) return "bad";
  if (band === "below-band" || band === "above-band" || (Number.isFinite(v) && v < 1.5)) return "warn";
  return "good";
}

/** Colour class of a distance to liquidation (the smallest spot move of one underlying that liquidates). */
export function distanceClass(distance: number | null): "bad" | "warn" | "good" {
  if (distance === null) return "good";
  if (distance <= 0.1) return "bad";
  if (distance <= 0.25) return "warn";
  return "good";
}
