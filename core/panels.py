"""Dashboard panels contributed by the apps above the dashboard's own.

The organisation dashboard lives in ``accounts``, but what it shows grows with every floor: the certification
countdown now, open orders and repairs next. Each app registers its panel in its ``AppConfig.ready``; the
dashboard renders those whose context function returns something.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable  # (request) -> dict | None; None leaves the panel out
    order: int = 100


PANELS: dict[str, Panel] = {}


def register_panel(*, name: str, template: str, context: Callable, order: int = 100) -> None:
    PANELS[name] = Panel(name=name, template=template, context=context, order=order)


def panels_render(request) -> list[str]:
    """The HTML of every panel that has something to show, in order."""
    rendered = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(request)
        if context is not None:
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
