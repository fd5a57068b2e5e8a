"""Line keys: the one way a budget line is named in forms, the API and errors.
cost:<cost category>:<aid cost type>  or  funding:<funding source>."""

from __future__ import annotations

from grants.budgets.constants import AidCostType, CostCategory, FundingSource, LineKind


def parse_key(key) -> dict | None:
    """The model fields of a line key, or None when the key names no valid line."""
    if not isinstance(key, str):
        return None
    parts = key.split(":")
    if parts[0] == LineKind.COST and len(parts) == 3:
        if parts[1] in CostCategory.values and parts[2] in AidCostType.values:
            return {"kind": LineKind.COST, "cost_category": parts[1], "aid_cost_type": parts[2],
                    "funding_source": ""}
    elif parts[0] == LineKind.FUNDING and len(parts) == 2 and parts[1] in FundingSource.values:
        return {"kind": LineKind.FUNDING, "cost_category": "", "aid_cost_type": "",
                "funding_source": parts[1]}
    return None


def key_of(fields: dict) -> str:
    if fields["kind"] == LineKind.COST:
        return f"cost:{fields['cost_category']}:{fields['aid_cost_type']}"
    return f"funding:{fields['funding_source']}"


def all_keys() -> list[str]:
    return [f"cost:{c}:{t}" for c in CostCategory.values for t in AidCostType.values] + [
        f"funding:{s}" for s in FundingSource.values]
