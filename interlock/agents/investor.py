"""Investors of the AI capital interlock (MODEL.md §3.4): the firms that fund others along equity
edges (Microsoft → OpenAI, NVIDIA → OpenAI, xAI, CoreWeave, …) and the outside investors who buy
into the labs' rounds.

What an investor decides
- **Willingness** of a graph investor to pay its scheduled tranches (share of each tranche paid,
  ≤ 1): it pays less when its own stock has fallen or its cash is below where it started,

      w = min(1, exp(β_m · r₆₃ + β_c · min(ln(cash / cash₀), 0)))

  (r₆₃: the 63-day log return of its stock, 0 for unlisted firms). Each equity edge pays w of the
  investor × the investee's appetite factor (1 unless a `lab_funding_gap` shock).
- **Outside investors' sentiment** toward AI (scales what a lab can raise outside the graph,
  `ai_lab.outside_capacity`): the cap-weighted 63-day return of the listed AI firms r̄,

      sentiment = min(exp(β_m · r̄), sentiment_max)

Parameters: `ai_lab.FundingParams` ([interlock.funding]: momentum_elasticity, cash_elasticity,
max_sentiment).
"""

from __future__ import annotations

import math

import numpy as np

from .ai_lab import FundingParams

MIN_CASH_BN = 1e-9        # guard: cash ratios of firms with no (or negative) cash


def willingness(momentum: np.ndarray, cash: np.ndarray, cash0: np.ndarray, q: FundingParams) -> np.ndarray:
    """Each investor's willingness to pay its scheduled tranches (module docstring), per firm."""
    cash_ratio = np.maximum(cash, MIN_CASH_BN) / np.maximum(cash0, MIN_CASH_BN)
    w = np.exp(q.momentum_elasticity * momentum + q.cash_elasticity * np.minimum(np.log(cash_ratio), 0.0))
    return np.minimum(w, 1.0)


def tranche_share(willingness: np.ndarray, appetite: np.ndarray, investor: np.ndarray,
                  investee: np.ndarray) -> np.ndarray:
    """Share of each equity edge's scheduled tranche that is paid: the investor's willingness ×
    the investee's appetite factor (arrays of edge endpoints `investor`, `investee`)."""
    return willingness[investor] * appetite[investee]


def outside_sentiment(market_caps: np.ndarray, momentum: np.ndarray, q: FundingParams) -> float:
    """Outside investors' sentiment toward AI from the listed AI firms' cap-weighted 63-day return
    (module docstring); 1 without listed firms."""
    ai_mom = float(market_caps @ momentum / market_caps.sum()) if len(market_caps) else 0.0
    return min(math.exp(q.momentum_elasticity * ai_mom), q.max_sentiment)
