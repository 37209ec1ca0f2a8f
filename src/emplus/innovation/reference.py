"""The criteria each move of the pipeline is decided against (reference data, loaded by
`emplus load-reference-data`): code, stage moved into, Swedish and English text."""

from __future__ import annotations

CRITERIA: list[tuple[str, str, str, str]] = [
    (
        "designed-need",
        "designed",
        "Behovet är beskrivet tillsammans med målgruppen",
        "The need is described together with the target group",
    ),
    (
        "designed-method",
        "designed",
        "Ett utkast till metodbeskrivning finns",
        "A draft method description exists",
    ),
    (
        "tested-bed",
        "tested",
        "En testbädd har åtagit sig att pröva metoden under en period",
        "A test bed has committed to trying the method for a period",
    ),
    (
        "tested-measure",
        "tested",
        "Hur resultat ska följas upp är bestämt",
        "How results will be followed up is decided",
    ),
    (
        "evaluated-results",
        "evaluated",
        "Resultat och stegförflyttning är sammanställda",
        "Results and progression are compiled",
    ),
    (
        "evaluated-level",
        "evaluated",
        "Evidensnivån är bedömd och motiverad",
        "The evidence level is assessed and justified",
    ),
    (
        "scaled-adopted",
        "scaled",
        "Minst en annan organisation eller region använder metoden",
        "At least one other organisation or region uses the method",
    ),
    (
        "scaled-support",
        "scaled",
        "Stöd för spridning (handledning, material) finns",
        "Support for spreading it (guidance, material) exists",
    ),
    (
        "stopped-lessons",
        "stopped",
        "Lärdomarna är dokumenterade och delade",
        "The lessons are documented and shared",
    ),
]
