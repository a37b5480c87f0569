"""From a news report to reviewed events: read a report (``read_report``), extract its
candidates with the sentence beside every field (``extract``), check them against what is
held (``review``), and turn the accepted ones into store records (``records``). Pure: no
streamlit."""

from data.reports.extract import Extraction, extract
from data.reports.text import ReportError, ReportMeta, ReportText, read_report, text_to_report

__all__ = [
    "Extraction",
    "ReportError",
    "ReportMeta",
    "ReportText",
    "extract",
    "read_report",
    "text_to_report",
]
