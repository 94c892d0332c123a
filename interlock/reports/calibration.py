"""The report of a calibration (`interlock calibrate`): report.md beside calibration.json and
overrides.toml."""

from __future__ import annotations

from pathlib import Path

from scipy.stats import chi2

from ..experiments.validation import calibration as C
from ..experiments.validation.calibration import CalibrationResult
from ..experiments.validation.checks import FACT_LABELS


def write_result(result: CalibrationResult, out_dir: str | Path) -> dict[str, Path]:
    """Write calibration.json, overrides.toml (`experiments.validation.calibration.write_result`)
    and report.md into `out_dir`; returns their paths by kind (json, overrides, report)."""
    paths = C.write_result(result, out_dir)
    paths["report"] = Path(out_dir) / "report.md"
    paths["report"].write_text(report_markdown(result), encoding="utf-8")
    return paths


def report_markdown(res: CalibrationResult) -> str:
    lines = [f"# Calibration (method of simulated moments) against {res.target}", "",
             f"Seeds {res.seeds} (common random numbers), {res.days} days each; {res.evaluations} "
             f"objective evaluations in {res.seconds:.0f} s. Objective J = Σ (m_sim − m_data)² / (se² + v_sim), "
             f"se from a stationary block bootstrap of the data (mean block {C.BOOTSTRAP_BLOCK} days), v_sim the "
             f"seed mean's own sampling variance at the start (spread over the seeds / S; 0 with one seed).", "",
             f"**Objective: {res.objective_start:.2f} before → {res.objective_fitted:.2f} after** "
             f"(Hansen's J with {res.dof} degrees of freedom: χ² 95% point {chi2.ppf(0.95, max(res.dof, 1)):.2f}).", "",
             *( [f"Fixed overrides during the fit: {', '.join(f'`{k}` = {v}' for k, v in res.base_overrides.items())}.", ""]
                if res.base_overrides else []),
             "| parameter | box | start | fitted |", "|---|---|---|---|"]
    for k in res.params:
        lo, hi = res.bounds[k]
        lines.append(f"| `{k}` | [{lo:g}, {hi:g}] | {res.start[k]:.4g} | {res.fitted[k]:.4g} |")
    lines += ["", "| moment | data | se | √v_sim | start | fitted |", "|---|---|---|---|---|---|"]
    for k in res.moments_target:
        s = res.moments_start.get(k, float("nan"))
        f = res.moments_fitted.get(k, float("nan"))
        v = res.moments_sim_var.get(k, 0.0) ** 0.5
        lines.append(f"| {FACT_LABELS.get(k, k)} | {res.moments_target[k]:.3f} | {res.moments_se[k]:.3f} "
                     f"| {v:.3f} | {s:.3f} | {f:.3f} |")
    lines += ["", "Use the fit: `interlock run baseline --config overrides.toml`.", ""]
    return "\n".join(lines)
