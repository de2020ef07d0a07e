"""The monthly deployment as ``prefect.yaml`` defines it: the one place its schedule is kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from i18n import _
from pipelines.core.settings import SettingsError

DEPLOYMENT_NAME = "monthly"
FLOW_NAME = "minsheng-monthly"


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment of ``prefect.yaml``: name, entrypoint, cron schedule, default parameters."""

    name: str
    entrypoint: str
    cron: str
    timezone: str | None
    parameters: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    tags: tuple[str, ...] = ()


def default_config() -> Path:
    """``prefect.yaml`` in the working directory, else the one at the root of this checkout."""
    here = Path("prefect.yaml")
    if here.is_file():
        return here
    return Path(__file__).resolve().parents[2] / "prefect.yaml"


def read_deployment(path: str | Path | None = None, name: str = DEPLOYMENT_NAME) -> DeploymentSpec:
    """The deployment called ``name`` in ``path``; a clear SettingsError if it is not usable."""
    path = Path(path) if path is not None else default_config()
    try:
        config = yaml.safe_load(path.read_text("utf-8")) or {}
    except OSError as exc:
        raise SettingsError(
            _("{path}: cannot read the deployment file ({strerror})").format(
                path=path, strerror=exc.strerror
            )
        ) from None
    except yaml.YAMLError as exc:
        raise SettingsError(
            _("{path}: not valid YAML ({exc})").format(path=path, exc=exc)
        ) from None
    found = [d for d in config.get("deployments") or [] if d.get("name") == name]
    if not found:
        raise SettingsError(_("{path}: no deployment named {name!r}").format(path=path, name=name))
    deployment = found[0]
    crons = [s for s in deployment.get("schedules") or [] if s.get("cron")]
    if len(crons) != 1:
        raise SettingsError(
            _("{path}: deployment {name!r} needs exactly one cron schedule").format(
                path=path, name=name
            )
        )
    return DeploymentSpec(
        name=name,
        entrypoint=str(deployment.get("entrypoint") or ""),
        cron=str(crons[0]["cron"]),
        timezone=crons[0].get("timezone"),
        parameters=dict(deployment.get("parameters") or {}),
        description=deployment.get("description"),
        tags=tuple(deployment.get("tags") or ()),
    )
