"""The assignment's report in one folder: one PNG or CSV per item and a report.md that links them all.

`build.build_report` is what `python -m core report` and the Report page both call; `task1`..`task4`
gather each task's items from the same core functions and figure builders the pages use.
"""
