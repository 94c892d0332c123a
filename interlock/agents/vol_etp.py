"""Volatility exchange-traded products (issue #12 item 5; the February 2018 'Volmageddon'):
daily-reset inverse VIX-futures products (XIV, SVXY: −1×) and leveraged long ones (UVXY, TVIX: 2×).

A daily-reset product with leverage L holds futures exposure L·NAV. After the futures index returns r
its NAV is NAV·(1 + L·r) and it holds L·NAV·(1 + r) of exposure, so at the close it must buy

    trade = L·NAV·[max(0, 1 + L·r) − (1 + r)]  ≈  L(L − 1)·NAV·r      (USD bn of futures notional)

— 2·NAV·r for both the −1× and the 2× products: both buy futures on a day the futures rise, and sell
when they fall (Bank of England, Bank Underground 24 Apr 2018: the rebalancing is procyclical for
long and inverse products alike). A VIX future moves $1,000 per index point for a notional of
$1,000 × F, so the trade is a vega demand Q = trade / F (USD bn per vol point).

Price impact on the futures (log), square-root law with a linear crossover, bounded by the open
interest (the products cannot buy more than the market holds):

    Δ = Y·σ_F·φ(x),   x = clip(Q / D, ±OI/D),   φ(x) = sign(x)·x_c·(sqrt(1 + 2|x|/x_c) − 1)/sqrt(2 x_c)

D = the futures' typical daily vega volume, σ_F their daily return s.d., Y the square-root-law
prefactor (Tóth et al. 2011); φ ≈ sqrt(|x|) for |x| ≫ x_c and linear with slope 1/sqrt(2 x_c) below.
The futures index's return before the products trade is β·(the day's VOL_1M return) (the short-term
futures index moves about half as much as the VIX), and the products' own impact feeds back into
their rebalancing within the close:

    r_{k+1} = (1 + r_0)·exp(Δ(Q(r_k))) − 1.

Its round-to-round gain is Y·σ_F·φ'(x)·Σ|L(L−1)|·NAV / (F·D) ≤ Y·σ_F·Σ|L(L−1)|·NAV / (sqrt(2x_c)·F_min·D)
(`round_gain`): below 1 over the plausible box, the loop converges geometrically. The log move Δ
of the futures passes one for one to VOL_1M (market makers short the futures buy index options; it
decays with the hedging half-life; `model/volatility.py`). One for one is a modelling choice: in the
last 40 minutes of 5 Feb 2018 the VIX rose ≈ 0.7× the futures' log move (≈ 27 → 37.3 against the
short-term futures index ≈ +24% → +96.1%; Harwood, Six Figure Investing; Invest In Vol).

Not modelled: the futures' roll yield and the products' flows of money in and out (their AUM moves
only with the futures index, so over long runs volatility drag shrinks them); the dealers' index
hedging of what they sold the products (VOL_1M reaches the S&P only through the dealers' gamma flip).

Termination: an inverse product whose NAV falls by `termination_loss` or more in a day is
accelerated (XIV's prospectus: an intraday indicative value ≤ 20% of the prior close; Credit Suisse,
6 Feb 2018): it closes its whole position that day and its AUM goes to zero — no more rebalancing.
That closing is a one-shot kick (at most the product's remaining exposure, 20% of its NAV beyond the
proportional trade), not a proportional response, so it does not enter the gain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..config import ParamView

MAX_ROUNDS = 200          # the loop contracts (gain < 1); this only stops a non-converging run
TOL = 1e-12


@dataclass(frozen=True)
class VolETPParams(ParamView, section="vol_etp"):
    """What the volatility ETPs read (interlock/data/params/funds.toml, [vol_etp])."""

    inverse_aum: float                 # USD bn, the inverse products together
    inverse_leverage: float            # x the futures index's daily return (−1: XIV, SVXY before 27 Feb 2018)
    long_aum: float                    # USD bn, the leveraged long products together
    long_leverage: float               # x (2: UVXY, TVIX before 27 Feb 2018)
    futures_beta: float                # short-term futures index return per unit VIX return
    impact_y: float                    # square-root-law prefactor Y
    futures_daily_vol: float           # σ_F: daily s.d. of the futures' return
    vega_adv_bn: float                 # D: typical daily vega traded in VIX futures (USD bn per point)
    crossover_share: float             # x_c: linear impact below this share of D
    open_interest_vega_bn: float       # OI bound on |Q| (USD bn per point)
    termination_loss: float            # a one-day NAV loss that ends an inverse product
    min_vol_points: float              # the lowest VOL_1M (points) the bound allows for


def phi(x: float, xc: float) -> float:
    """Square-root impact shape with a linear crossover: ≈ sqrt(|x|) for |x| ≫ x_c."""
    return math.copysign(xc * (math.sqrt(1.0 + 2.0 * abs(x) / xc) - 1.0) / math.sqrt(2.0 * xc), x)


def round_gain(v: dict) -> float:
    """Worst-case round-to-round gain of the close-of-day rebalancing loop at parameter values `v`
    (keys without the `vol_etp.` prefix): Y·σ_F·Σ|L(L−1)|·AUM / (sqrt(2x_c)·F_min·D)."""
    demand = (abs(v["inverse_leverage"] * (v["inverse_leverage"] - 1.0)) * v["inverse_aum"]
              + abs(v["long_leverage"] * (v["long_leverage"] - 1.0)) * v["long_aum"])
    return (v["impact_y"] * v["futures_daily_vol"] * demand
            / (math.sqrt(2.0 * v["crossover_share"]) * v["min_vol_points"] * v["vega_adv_bn"]))


@dataclass
class ETPDay:
    """One close: the futures return before and after the products traded, their trade and vega."""

    day: int
    r_before: float
    r_after: float
    trade_bn: float
    vega_bn: float
    rounds: int
    terminated: tuple[str, ...] = ()


@dataclass
class VolETPBook:
    """The products, as two aggregates (inverse and leveraged long)."""

    q: VolETPParams
    names: tuple[str, ...] = ("inverse", "long")
    aum: list[float] = field(default_factory=list)
    leverage: list[float] = field(default_factory=list)
    alive: list[bool] = field(default_factory=list)
    history: list[ETPDay] = field(default_factory=list)
    converged: bool = True

    @classmethod
    def from_params(cls, p) -> "VolETPBook":
        q = VolETPParams.from_params(p)
        return cls(q, aum=[q.inverse_aum, q.long_aum], leverage=[q.inverse_leverage, q.long_leverage],
                   alive=[q.inverse_aum > 0, q.long_aum > 0])

    def _trade(self, r: float) -> float:
        """Futures notional the products buy (USD bn) when the index returned r today."""
        t = 0.0
        for a, lev, ok in zip(self.aum, self.leverage, self.alive):
            if ok:
                growth = max(0.0, 1.0 + lev * r)
                if growth <= 1.0 - self.q.termination_loss:
                    growth = 0.0               # accelerated: the whole position is closed today
                t += lev * a * (growth - (1.0 + r))
        return t

    def _impact(self, trade: float, level: float) -> tuple[float, float]:
        q = self.q
        vega = trade / max(level, q.min_vol_points)       # F ≥ F_min, as round_gain assumes
        cap = q.open_interest_vega_bn / q.vega_adv_bn
        x = max(-cap, min(cap, vega / q.vega_adv_bn))
        return q.impact_y * q.futures_daily_vol * phi(x, q.crossover_share), vega

    def rebalance(self, day: int, vix_return: float, prev_level: float) -> float:
        """The close: the products trade on the futures return β·`vix_return` (prev_level: the
        previous close in vol points) and their own impact; returns the log move Δ their trading
        added to the futures (and to VOL_1M). Updates AUM and ends products past the loss limit."""
        if not any(self.alive):
            return 0.0
        q = self.q
        r0 = q.futures_beta * vix_return
        # `_trade`, `_impact` and `phi` written out in the loop, with what does not change within the
        # close hoisted (~6 rounds a day): the same float operations in the same order, bit for bit
        # (max(a, b) is b if b > a else a; lev·a·(…) multiplies lev·a first, as here)
        live = [(lev * a, lev) for a, lev, ok in zip(self.aum, self.leverage, self.alive) if ok]
        kill = 1.0 - q.termination_loss
        fmin, adv, xc = q.min_vol_points, q.vega_adv_bn, q.crossover_share
        cap = q.open_interest_vega_bn / adv
        ncap = -cap
        yf = q.impact_y * q.futures_daily_vol
        sq = math.sqrt(2.0 * xc)
        g0 = 1.0 + r0
        r, d, vega, trade, k = r0, 0.0, 0.0, 0.0, 0
        for k in range(1, MAX_ROUNDS + 1):
            trade = 0.0
            for la, lev in live:
                growth = 1.0 + lev * r
                if not growth > 0.0:
                    growth = 0.0
                if growth <= kill:
                    growth = 0.0               # accelerated: the whole position is closed today
                trade += la * (growth - (1.0 + r))
            level = prev_level * (1.0 + r)
            vega = trade / (fmin if fmin > level else level)     # F ≥ F_min, as round_gain assumes
            x = vega / adv
            if not x < cap:
                x = cap
            if not x > ncap:
                x = ncap
            d = yf * math.copysign(xc * (math.sqrt(1.0 + 2.0 * abs(x) / xc) - 1.0) / sq, x)
            r_new = g0 * math.exp(d) - 1.0
            done = abs(r_new - r) < TOL
            r = r_new
            if done:
                break
        else:
            self.converged = False
        ended = []
        for i, (a, lev) in enumerate(zip(self.aum, self.leverage)):
            if not self.alive[i]:
                continue
            growth = max(0.0, 1.0 + lev * r)
            self.aum[i] = a * growth
            if growth <= 1.0 - q.termination_loss:
                self.aum[i] = 0.0
                self.alive[i] = False
                ended.append(self.names[i])
        self.history.append(ETPDay(day, r0, r, trade, vega, k, tuple(ended)))
        return d
