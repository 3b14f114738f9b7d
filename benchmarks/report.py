"""The benchmark's results as Markdown (figures, the floor, the ratios, the targets and the
query plans) and as an SVG chart of requests a second against the number of signatures."""

from html import escape

# What the issue asks of each figure; each line of the report says whether it was reached.
# The letter page at the largest size against the same letter, with the smallest size's
# signatures, loaded beside it and measured in turn with it.
BESIDE_THE_SMALLEST = "letter page at the largest size, share of the same letter at the smallest"
TARGETS = {
    "letter page, share of the floor at the largest size": (">=", 0.25),
    "letter page p95 at the largest size (ms)": ("<", 50),
    BESIDE_THE_SMALLEST: (">=", 0.90),
    "deep list page, share of the first page": (">=", 0.90),
    "signing at 32 at once (flows/s)": (">=", 300),
    "signing at 32 at once, p95 (ms)": ("<", 150),
    "acknowledged signatures missing or twice": ("==", 0),
    "CSV export of the letter (s)": ("<", 15),
    "CSV export, memory growth (MB)": ("<", 50),
    "slowest admin page (ms)": ("<", 300),
    "emails a second, four workers (as production runs)": (">=", 100),
    "a full render of the letter page (ms)": ("<=", 8),
}


def twin_page(size: int) -> str:
    """What the letter's page is called in the results when the same letter, with the smallest
    size's signatures, is measured beside it."""
    return f"letter page, the same letter at {size:,}"


def figures(results: dict) -> dict[str, float]:
    last = results["sizes"][-1]
    letter = last["gunicorn"]["letter page"]
    found = {
        "letter page, share of the floor at the largest size": letter["per_second"]
        / last["floor"]["per_second"],
        "letter page p95 at the largest size (ms)": letter["p95"],
        "deep list page, share of the first page": min(
            size["gunicorn"]["deep list page"]["per_second"]
            / size["gunicorn"]["letter page"]["per_second"]
            for size in results["sizes"]
        ),
        "a full render of the letter page (ms)": max(
            s["full_render_ms"] for s in results["sizes"]
        ),
    }
    if twin := last["gunicorn"].get(twin_page(results["sizes"][0]["size"])):
        found[BESIDE_THE_SMALLEST] = letter["per_second"] / twin["per_second"]
    if signing := results.get("signing"):
        busiest = signing[-1]
        found["signing at 32 at once (flows/s)"] = busiest["per_second"]
        found["signing at 32 at once, p95 (ms)"] = busiest["p95"]
        found["acknowledged signatures missing or twice"] = sum(
            run["missing"] + run["duplicated"] for run in signing
        )
    if export := results.get("export"):
        found["CSV export of the letter (s)"] = export["seconds"]
        found["CSV export, memory growth (MB)"] = export["memory_growth_mb"]
    if admin := results.get("admin"):
        found["slowest admin page (ms)"] = max(admin.values())
    if emails := results.get("emails"):
        found["emails a second, four workers (as production runs)"] = emails["4 workers"][
            "per_second"
        ]
    return found


def reached(name: str, value: float) -> bool:
    sign, target = TARGETS[name]
    return {
        ">=": value >= target,
        "<": value < target,
        "<=": value <= target,
        "==": value == target,
    }[sign]


def markdown(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"{results['when']} on {results['machine']}; load from `{results['tool']}` on the same "
        f"machine, {results['connections']} connections; gunicorn with `deploy/gunicorn.conf.py`,"
        " PostgreSQL, Redis. Command: `" + results["command"] + "`.",
        "",
        "## Targets",
        "",
        "| figure | measured | target | reached |",
        "|---|---|---|---|",
    ]
    for name, value in figures(results).items():
        sign, target = TARGETS[name]
        shown = f"{value:.0%}" if "share" in name else f"{value:,.1f}"
        target_shown = f"{target:.0%}" if "share" in name else f"{target:,}"
        lines.append(
            f"| {name} | {shown} | {sign} {target_shown} | {'yes' if reached(name, value) else '**no**'} |"
        )
    lines += ["", "## Pages (requests a second, p95 in ms, share of the floor)", ""]
    lines += [
        "Each the median of three runs, taken in turn with the floor and the other pages; a "
        "full render, the median of one after each round.",
        "",
    ]
    lines += [
        "| signatures | page | gunicorn | p95 | share | nginx | p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for size in results["sizes"]:
        floor = size["floor"]
        lines.append(
            f"| {size['size']:,} | floor ({size['letter_bytes']:,} bytes) | "
            f"{floor['per_second']:,.0f} | {floor['p95']:.1f} | 100% | | |"
        )
        for page, result in size["gunicorn"].items():
            proxied = size["nginx"].get(page)
            lines.append(
                f"| {size['size']:,} | {page} | {result['per_second']:,.0f} | "
                f"{result['p95']:.1f} | {result['per_second'] / floor['per_second']:.0%} | "
                + (f"{proxied['per_second']:,.0f} | {proxied['p95']:.1f} |" if proxied else " | |")
            )
        lines.append(
            f"| {size['size']:,} | a full render, ms | {size['full_render_ms']:.2f} | | | | |"
        )
    if signing := results.get("signing"):
        lines += ["", "## Signing: open the sign page, post the form", ""]
        lines += [
            "| at once | flows/s | p50 | p95 | p99 | acknowledged | missing | twice | refused |"
        ]
        lines += ["|---|---|---|---|---|---|---|---|---|"]
        for run in signing:
            lines.append(
                f"| {run['signers']} | {run['per_second']:,.0f} | {run['p50']:.1f} | "
                f"{run['p95']:.1f} | {run['p99']:.1f} | {run['acknowledged']:,} | "
                f"{run['missing']} | {run['duplicated']} | {run['refused']} |"
            )
    if counting := results.get("counting"):
        lines += [
            "",
            "## The counting job at the largest size (median of three)",
            "",
            f"- a pass over a letter whose counts did not change: {counting['unchanged_ms']:,.0f} ms",
            f"- a pass that breaks the counts down by country and day: "
            f"{counting['broken_down_ms']:,.0f} ms",
        ]
    if candidates := results.get("worker_settings"):
        lines += ["", "## gunicorn settings: what deploy/gunicorn.conf.py was chosen from", ""]
        lines += [
            "| settings | letter page/s | p95 | signing flows/s at 32 | p95 |",
            "|---|---|---|---|---|",
        ]
        for name, run in candidates.items():
            page, signed = run["letter page"], run["signing"]
            lines.append(
                f"| {name} | {page['per_second']:,.0f} | {page['p95']:.1f} | "
                f"{signed['per_second']:,.0f} | {signed['p95']:.1f} |"
            )
    if export := results.get("export"):
        lines += [
            "",
            "## CSV export",
            "",
            f"{export['rows']:,} rows in {export['seconds']:.1f} s (of which "
            f"{export['startup_seconds']:.1f} s starting Django); memory grew by "
            f"{export['memory_growth_mb']:.1f} MB (peak {export['peak_memory_mb']:.0f} MB).",
        ]
    if admin := results.get("admin"):
        lines += ["", "## Admin pages at the largest size (median of three, ms)", ""]
        lines += ["| page | ms |", "|---|---|"] + [
            f"| {n} | {ms:,.0f} |" for n, ms in admin.items()
        ]
    if emails := results.get("emails"):
        lines += ["", "## Emails to a mail server on the loopback", ""]
        for name, run in emails.items():
            if isinstance(run, dict):
                lines.append(
                    f"- {name}: {run['emails']:,} emails, {run['per_second']:,.0f} a second"
                )
    lines += ["", "## How PostgreSQL runs the public queries", ""]
    for size in results["sizes"]:
        for name, plan in size["plans"].items():
            lines += [f"{size['size']:,} signatures, {name}:", "", "```", plan, "```", ""]
    return "\n".join(lines) + "\n"


def svg(results: dict) -> str:
    """Requests a second against the number of signatures: the letter page (gunicorn, nginx)
    and the floor, on a log scale of signatures."""
    import math

    width, height, left, bottom, top, right = 640, 360, 70, 50, 40, 150
    sizes = [size["size"] for size in results["sizes"]]
    series = {
        "floor": ("#888", [s["floor"]["per_second"] for s in results["sizes"]]),
        "letter page": (
            "#b3121f",
            [s["gunicorn"]["letter page"]["per_second"] for s in results["sizes"]],
        ),
        "deep list page": (
            "#1d6b35",
            [s["gunicorn"]["deep list page"]["per_second"] for s in results["sizes"]],
        ),
    }
    if all(s["nginx"] for s in results["sizes"]):
        series["letter page, nginx"] = (
            "#2a5db0",
            [s["nginx"]["letter page"]["per_second"] for s in results["sizes"]],
        )
    top_value = max(max(values) for _colour, values in series.values()) * 1.1
    low, high = math.log10(min(sizes)), math.log10(max(sizes))

    def x(size: int) -> float:
        share = (math.log10(size) - low) / (high - low) if high > low else 0.5
        return left + share * (width - left - right)

    def y(value: float) -> float:
        return height - bottom - value / top_value * (height - bottom - top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{left}" y="20" font-size="14">Requests a second against signatures ({escape(results["when"])})</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#000"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#000"/>',
    ]
    for size in sizes:
        parts.append(
            f'<text x="{x(size):.0f}" y="{height - bottom + 18}" text-anchor="middle">{size:,}</text>'
        )
    for step in range(5):
        value = top_value * step / 4
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.0f}" text-anchor="end">{value:,.0f}</text>'
        )
    for row, (name, (colour, values)) in enumerate(series.items()):
        points = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(sizes, values, strict=True))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for s, v in zip(sizes, values, strict=True):
            parts.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        parts.append(
            f'<rect x="{width - right + 10}" y="{top + row * 20}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{width - right + 28}" y="{top + row * 20 + 10}">{escape(name)}</text>'
        )
    parts.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 12}" text-anchor="middle">signatures (log scale)</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
