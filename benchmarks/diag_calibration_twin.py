"""Why the calibration twin misses (docs/validation.md, `interlock calibrate`): the twin's moments per
seed at three values of the news vol. Prints only (not part of `make bench`); a few CPU minutes.

    python benchmarks/diag_calibration_twin.py
"""
from __future__ import annotations

from interlock.config import param_specs
from interlock.experiments.validation import calibration as C

# the twin's model, as in tests/integration/test_validate_calibration.py
BASE = {f"{c}.enabled": False for c in ("retail_crypto", "crypto_etf", "interlock") if f"{c}.enabled" in param_specs()}
BASE["news.market_timescales_days"] = [3.0, 10.0, 20.0]
MOMENTS = ("annual_vol", "excess_kurtosis", "abs_ac1", "abs_ac10")


def main() -> None:
    se = C.target_moments("sp500", MOMENTS).se
    print("S&P bootstrap se:", {k: round(se[k], 4) for k in MOMENTS})
    for seed in (1, 2, 101, 102):              # fit seeds, then the truth's
        sim = C.SimulatedMoments(seeds=(seed,), days=1500, base_overrides=BASE)
        for sigma in (0.15, 0.20, 0.25):
            m = sim({"news.market_sigma_annual": sigma, "news.market_rel_cap": 1.6})
            print(f"seed {seed}, sigma {sigma}:", {k: round(m[k], 4) for k in MOMENTS}, flush=True)


if __name__ == "__main__":
    main()
