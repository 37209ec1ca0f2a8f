"""The network picture: networkx lays out the actors (a fixed seed, so the same data gives the
same picture), core.svg scales it; the template draws it beside a table and an adjacency list.

Only the MAX_NODES best-connected actors are drawn, so that the picture stays readable and fast
with hundreds of collaborations; the page says how many were left out and the tables hold all.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from emplus.collaborations.selectors import Network
from emplus.core import svg

WIDTH, HEIGHT, MARGIN = 760, 560, 60
MAX_NODES = 60
SEED = 11  # issue 11: any fixed number keeps the layout stable between page loads
# One colour per sector (dark enough for white labels' neighbours, distinct in grey too), and a
# shape per sector so that colour is never the only cue (WCAG 1.4.1).
SECTOR_STYLE: dict[str, tuple[str, str]] = {
    "civil_society": ("#1b5e20", "circle"),
    "social_economy": ("#6a1b9a", "diamond"),
    "public": ("#0d47a1", "square"),
    "business": ("#b34700", "triangle"),
    "education": ("#8d6e00", "hexagon"),
}
DEFAULT_STYLE = ("#444444", "circle")


@dataclass(frozen=True)
class NodeMark:
    key: str
    x: float
    y: float
    r: float
    colour: str
    shape: str
    points: str  # polygon points for the shapes other than a circle
    label: str
    show_label: bool
    title: str


@dataclass(frozen=True)
class EdgeLine:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass(frozen=True)
class NetworkPicture:
    view_box: str
    nodes: list[NodeMark]
    edges: list[EdgeLine]
    left_out: int  # actors not drawn (the tables hold them)


def _polygon(shape: str, x: float, y: float, r: float) -> str:
    corners = {
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "diamond": [(0, -r * 1.3), (r * 1.3, 0), (0, r * 1.3), (-r * 1.3, 0)],
        "triangle": [(0, -r * 1.3), (r * 1.2, r), (-r * 1.2, r)],
        "hexagon": [
            (r, 0),
            (r / 2, -r * 0.87),
            (-r / 2, -r * 0.87),
            (-r, 0),
            (-r / 2, r * 0.87),
            (r / 2, r * 0.87),
        ],
    }.get(shape, [])
    return " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)


def network_picture(network: Network, *, max_nodes: int = MAX_NODES) -> NetworkPicture | None:
    """Positions of the best-connected actors and the edges between them; None when empty."""
    drawn = network.actors[:max_nodes]
    if not drawn:
        return None
    keys = {a.key for a in drawn}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(keys))
    for edge in network.edges:
        if edge.a.key in keys and edge.b.key in keys:
            graph.add_edge(edge.a.key, edge.b.key, weight=edge.weight)
    positions = nx.spring_layout(graph, seed=SEED, k=1.6 / max(len(keys), 1) ** 0.5)
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    x_domain = (min(xs), max(xs)) if max(xs) > min(xs) else (min(xs) - 1, max(xs) + 1)
    y_domain = (min(ys), max(ys)) if max(ys) > min(ys) else (min(ys) - 1, max(ys) + 1)

    def at(key: str) -> tuple[float, float]:
        x, y = positions[key]
        return (
            round(svg.scale(float(x), domain=x_domain, span=(MARGIN, WIDTH - MARGIN)), 1),
            round(svg.scale(float(y), domain=y_domain, span=(MARGIN, HEIGHT - MARGIN)), 1),
        )

    top_degree = max((network.degree.get(a.key, 0) for a in drawn), default=0) or 1
    nodes = []
    for rank, actor in enumerate(drawn):
        x, y = at(actor.key)
        degree = network.degree.get(actor.key, 0)
        r = round(5 + 9 * degree / top_degree, 1)
        colour, shape = SECTOR_STYLE.get(actor.sector, DEFAULT_STYLE)
        nodes.append(
            NodeMark(
                key=actor.key,
                x=x,
                y=y,
                r=r,
                colour=colour,
                shape=shape,
                points="" if shape == "circle" else _polygon(shape, x, y, r),
                label=actor.name if len(actor.name) <= 28 else actor.name[:27] + "…",
                show_label=rank < 25,  # the rest carry their name as a tooltip
                title=f"{actor.name} ({actor.sector_label}): {degree}",
            )
        )
    top_weight = max((d["weight"] for _a, _b, d in graph.edges(data=True)), default=1)
    edges = []
    names = {a.key: a.name for a in drawn}
    for a, b, data in sorted(graph.edges(data=True)):
        x1, y1 = at(a)
        x2, y2 = at(b)
        edges.append(
            EdgeLine(
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                width=round(1 + 3 * data["weight"] / top_weight, 1),
                title=f"{names[a]} – {names[b]}: {data['weight']}",
            )
        )
    return NetworkPicture(
        view_box=svg.view_box(0, 0, WIDTH, HEIGHT),
        nodes=nodes,
        edges=edges,
        left_out=len(network.actors) - len(drawn),
    )
