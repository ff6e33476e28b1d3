#!/usr/bin/env python3
"""Builds examples/market-<DATE>.json, an xmargin MarketSnapshot, from the real daily closes in ../shared/data.

Usage: python3 scripts/build-example-market.py [DATA_DIR] [DATE]
  DATA_DIR  folder with the <SYM>-USD.csv files (default: ../shared/data, relative to the repo root)
  DATE      UTC calendar day whose close is used, YYYY-MM-DD (default: 2023-06-30)

Python 3 standard library only. Every price and volume comes from the CSV files (see DATA_DIR/SOURCES.md); everything
else (vol proxy, rates, chain volume shares, bridge routes) is a stated assumption, listed in ASSUMPTIONS below and
in examples/README.md. Liquidity entries are derived from the (chain, asset) pairs used in examples/portfolios/*.json.
"""

import csv
import glob
import json
import math
import os
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(REPO, "..", "shared", "data")
DEFAULT_DATE = "2023-06-30"

# Every series that must have a close on the chosen day (the brief's list).
REQUIRED = ["BTC", "ETH", "SOL", "BNB", "AVAX", "MATIC", "LINK", "USDC", "USDT", "DAI", "STETH", "WSTETH", "WBTC"]

# Underlying feeds: "<SYM>/USD" from chainlink on one EVM chain and from pyth on solana.
UNDERLYING_CHAINLINK_CHAIN = {
    "BTC": "ethereum",
    "ETH": "ethereum",
    "SOL": "arbitrum",
    "BNB": "bsc",
    "AVAX": "avalanche",
    "MATIC": "polygon",
    "LINK": "ethereum",
}

# Token feeds: (feed symbol, data file, source, chain). Tokens whose rate drifts and that have no data file of their
# own (cbETH on base, mSOL and jitoSOL on solana) are deliberately absent.
TOKEN_FEEDS = [
    ("stETH", "STETH", "chainlink", "ethereum"),
    ("wstETH", "WSTETH", "chainlink", "ethereum"),
    ("wstETH", "WSTETH", "chainlink", "arbitrum"),
    ("wstETH", "WSTETH", "chainlink", "optimism"),
    ("wstETH", "WSTETH", "chainlink", "base"),
    ("WBTC", "WBTC", "chainlink", "ethereum"),
    ("USDC", "USDC", "chainlink", "ethereum"),
    ("USDC", "USDC", "pyth", "solana"),
    ("USDT", "USDT", "chainlink", "ethereum"),
    ("USDT", "USDT", "pyth", "solana"),
    ("DAI", "DAI", "chainlink", "ethereum"),
]

PYTH_CONFIDENCE_REL = Decimal("0.0005")  # 0.05% of price
PUBLISH_LAG_SEC = 60

VOL_UNDERLYINGS = ["BTC", "ETH", "SOL"]
EWMA_LAMBDA = 0.94
EWMA_INIT = 20  # seed: zero-mean second moment of the first 20 returns (as src/risk/ewma.ts)
EXPIRY_DAYS = [7, 30, 90, 180]
STRIKE_MULTIPLES = ["0.5", "0.8", "0.9", "1.0", "1.1", "1.25", "2.0"]

RISK_FREE = "0.05"
CARRY = {"BTC": "0.05", "ETH": "0.05", "SOL": "0.05"}

# Which data file gives the USD volume of each asset that can appear in a portfolio (token symbol or underlying).
ASSET_FILE = {
    "BTC": "BTC",
    "WBTC": "WBTC",
    "ETH": "ETH",
    "WETH": "ETH",
    "stETH": "STETH",
    "wstETH": "WSTETH",
    "SOL": "SOL",
    "USDC": "USDC",
    "USDC.e": "USDC",
    "USDT": "USDT",
    "DAI": "DAI",
    "LINK": "LINK",
    "BNB": "BNB",
    "AVAX": "AVAX",
    "MATIC": "MATIC",
}
# Share of the file's (all-venue, mostly CEX) USD volume assumed to be executable on each chain.
CHAIN_SHARE = {
    "ethereum": Decimal("0.10"),
    "arbitrum": Decimal("0.05"),
    "optimism": Decimal("0.02"),
    "base": Decimal("0.02"),
    "solana": Decimal("0.05"),
    "polygon": Decimal("0.02"),
    "avalanche": Decimal("0.02"),
    "bsc": Decimal("0.05"),
}
# The wrapper/LST files (stETH, wstETH, WBTC) carry the token's own volume, which is mostly on-chain DEX volume on
# ethereum: a larger share there, 10% on any L2.
TOKEN_FILE_SHARE = {"ethereum": Decimal("0.60")}
TOKEN_FILE_SHARE_OTHER = Decimal("0.10")
TOKEN_FILES = {"STETH", "WSTETH", "WBTC"}
DEFAULT_HALF_SPREAD_BPS = "5"
DEFAULT_IMPACT = "0.7"

# Bridge routes: (from, to, latencySec, costBps, name). Typical figures, not history: canonical L1->L2 deposits about
# 15 min; canonical optimistic-rollup withdrawals 7 days; liquidity-network fast bridges and Wormhole 15-25 min
# counting source-chain finality.
BRIDGES = [
    ("ethereum", "arbitrum", "900", "1", "arbitrum-canonical-deposit"),
    ("arbitrum", "ethereum", "604800", "1", "arbitrum-canonical-withdrawal"),
    ("arbitrum", "ethereum", "1200", "5", "fast-bridge"),
    ("ethereum", "optimism", "900", "1", "optimism-canonical-deposit"),
    ("optimism", "ethereum", "604800", "1", "optimism-canonical-withdrawal"),
    ("optimism", "ethereum", "1200", "5", "fast-bridge"),
    ("ethereum", "base", "900", "1", "base-canonical-deposit"),
    ("base", "ethereum", "604800", "1", "base-canonical-withdrawal"),
    ("base", "ethereum", "1200", "5", "fast-bridge"),
    ("arbitrum", "base", "1200", "5", "fast-bridge"),
    ("base", "arbitrum", "1200", "5", "fast-bridge"),
    ("arbitrum", "optimism", "1200", "5", "fast-bridge"),
    ("optimism", "arbitrum", "1200", "5", "fast-bridge"),
    ("ethereum", "solana", "1200", "10", "wormhole"),
    ("solana", "ethereum", "900", "10", "wormhole"),
    ("arbitrum", "solana", "1500", "10", "wormhole"),
    ("solana", "arbitrum", "900", "10", "wormhole"),
]


def fail(msg):
    sys.stderr.write(f"build-example-market: {msg}\n")
    sys.exit(1)


def load_csv(data_dir, name):
    path = os.path.join(data_dir, f"{name}-USD.csv")
    if not os.path.exists(path):
        fail(f"missing {path}")
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.append(r)
    return rows


def plain(d, places=None):
    """Decimal -> plain string (no exponent), optionally quantized to `places` decimals; trailing zeros trimmed."""
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def sig(d, digits):
    """Rounds a positive Decimal to `digits` significant digits, plain string."""
    if d == 0:
        return "0"
    exp = d.adjusted()
    return plain(d, max(0, digits - 1 - exp))


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def ewma_vol_annual(rows, day):
    """Annualised RiskMetrics EWMA vol of daily log-returns of closes up to and including `day`."""
    closes = []
    prev_date = None
    for r in rows:
        if r["date"] > day:
            break
        d = date.fromisoformat(r["date"])
        if prev_date is not None and (d - prev_date).days != 1:
            fail(f"gap in closes before {r['date']}: returns would span more than one day")
        prev_date = d
        closes.append(float(r["close"]))
    rets = [math.log(closes[i] / closes[i - 1]) for i in range(1, len(closes))]
    if len(rets) < EWMA_INIT + 30:
        fail(f"not enough history up to {day}")
    var = sum(x * x for x in rets[:EWMA_INIT]) / EWMA_INIT
    for x in rets[EWMA_INIT:]:
        var = EWMA_LAMBDA * var + (1 - EWMA_LAMBDA) * x * x
    return math.sqrt(var) * math.sqrt(365), len(rets)


def strike_step(spot):
    """A round strike grid step near 2% of spot: 1, 2, 2.5 or 5 times a power of ten."""
    target = spot * Decimal("0.02")
    p = Decimal(10) ** (target.adjusted())
    best = p
    for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
        if m * p <= target:
            best = m * p
    return best


def strikes_for(spot):
    step = strike_step(spot)
    out = []
    for m in STRIKE_MULTIPLES:
        k = (spot * Decimal(m) / step).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) * step
        out.append(k)
    if any(b <= a for a, b in zip(out, out[1:])):
        fail(f"strikes not strictly ascending after rounding: {out}")
    return [plain(k) for k in out]


def portfolio_assets():
    """(chain, asset) pairs used by examples/portfolios/*.json: token symbol for holdings, underlying for positions."""
    pairs = set()
    files = sorted(glob.glob(os.path.join(REPO, "examples", "portfolios", "*.json")))
    if not files:
        fail("no examples/portfolios/*.json found: liquidity entries are derived from them")
    for path in files:
        with open(path) as f:
            doc = json.load(f)
        for h in doc.get("holdings", []):
            pairs.add((h["chain"], h["token"]))
        for p in doc.get("positions", []):
            pairs.add((p["chain"], p["underlying"]))
    return sorted(pairs)


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA
    day = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_DATE
    date.fromisoformat(day)
    if not os.path.isdir(data_dir):
        fail(f"no data folder {data_dir}")

    series = {name: load_csv(data_dir, name) for name in REQUIRED}
    bar = {}
    for name, rows in series.items():
        row = next((r for r in rows if r["date"] == day), None)
        if row is None or not row["close"]:
            fail(f"{name}-USD.csv has no close on {day}; pick a day every series covers")
        bar[name] = row

    close_time = datetime.fromisoformat(day).replace(tzinfo=timezone.utc) + timedelta(days=1)
    as_of = iso(close_time)
    published = iso(close_time - timedelta(seconds=PUBLISH_LAG_SEC))

    quotes = []
    for sym, chain in UNDERLYING_CHAINLINK_CHAIN.items():
        price = Decimal(bar[sym]["close"])
        quotes.append(
            {"source": "chainlink", "chain": chain, "feed": f"{sym}/USD", "price": plain(price), "publishedAt": published}
        )
        quotes.append(
            {
                "source": "pyth",
                "chain": "solana",
                "feed": f"{sym}/USD",
                "price": plain(price),
                "confidence": sig(price * PYTH_CONFIDENCE_REL, 4),
                "publishedAt": published,
            }
        )
    for feed, name, source, chain in TOKEN_FEEDS:
        price = Decimal(bar[name]["close"])
        q = {"source": source, "chain": chain, "feed": f"{feed}/USD", "price": plain(price)}
        if source == "pyth":
            q["confidence"] = sig(price * PYTH_CONFIDENCE_REL, 4)
        q["publishedAt"] = published
        quotes.append(q)

    vol_surfaces = []
    vol_notes = []
    for sym in VOL_UNDERLYINGS:
        vol, n = ewma_vol_annual(series[sym], day)
        vol_str = plain(Decimal(repr(vol)), 4)
        vol_notes.append(f"{sym} {vol_str}")
        spot = Decimal(bar[sym]["close"])
        strikes = strikes_for(spot)
        expiries = []
        for days in EXPIRY_DAYS:
            exp = (close_time + timedelta(days=days)).replace(hour=8)
            expiries.append({"expiry": iso(exp), "strikes": strikes, "vols": [vol_str] * len(strikes)})
        vol_surfaces.append({"underlying": sym, "expiries": expiries})

    liquidity = []
    for chain, asset in portfolio_assets():
        name = ASSET_FILE.get(asset)
        if name is None:
            fail(f"no volume file mapped for asset {asset}")
        rows = series.get(name) or load_csv(data_dir, name)
        row = bar.get(name) or next((r for r in rows if r["date"] == day), None)
        if row is None or not row["volume"]:
            fail(f"{name}-USD.csv has no volume on {day}")
        if name in TOKEN_FILES:
            share = TOKEN_FILE_SHARE.get(chain, TOKEN_FILE_SHARE_OTHER)
        else:
            share = CHAIN_SHARE[chain]
        vol_usd = (Decimal(row["volume"]) * share).quantize(Decimal(1))
        liquidity.append(
            {
                "chain": chain,
                "asset": asset,
                "dailyVolumeUsd": plain(vol_usd),
                "halfSpreadBps": DEFAULT_HALF_SPREAD_BPS,
                "impactCoefficient": DEFAULT_IMPACT,
            }
        )

    bridges = [
        {"from": a, "to": b, "latencySec": lat, "costBps": bps, "name": name} for a, b, lat, bps, name in BRIDGES
    ]

    description = (
        f"Daily closes of {day} (UTC bar, close at asOf) from shared/data/<SYM>-USD.csv: Yahoo, MATIC and DAI CoinGecko "
        f"(SOURCES.md). Vols are NOT implied: EWMA(0.94) realised vol x sqrt(365), flat. riskFree 5% = T-bill level "
        f"mid-2023; carry 5% assumed. Liquidity = file volume x chain share (eth 10%, arb/sol 5%, op/base 2%; "
        f"stETH/wstETH/WBTC files 60% eth, 10% L2). Bridge latencies/costs assumed (7-day L2 exits)."
    )
    if len(description) > 500:
        fail(f"description too long ({len(description)} > 500)")

    snapshot = {
        "asOf": as_of,
        "description": description,
        "quotes": quotes,
        "volSurfaces": vol_surfaces,
        "rates": {"riskFreeAnnual": RISK_FREE, "carryAnnual": CARRY},
        "liquidity": liquidity,
        "bridges": bridges,
    }
    out = os.path.join(REPO, "examples", f"market-{day}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(snapshot, f, indent=2)
        f.write("\n")
    print(f"wrote {os.path.relpath(out, REPO)}: asOf {as_of}, {len(quotes)} quotes, EWMA vols {', '.join(vol_notes)}, "
          f"{len(liquidity)} liquidity entries, {len(bridges)} bridges")


if __name__ == "__main__":
    main()
