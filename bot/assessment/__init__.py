"""The learned and simulated side of the willing-and-able assessment (issue 13).

The rules and features are plain Python in bot/core/assessment.py and
bot/core/evasion.py; this package holds what needs numpy/scikit-learn or
configuration files: the segment-to-treatment table (``treatments``), the
portfolio simulator (``simulator``), the keep-probability model (``model``),
the report (``report``) and the ``collectbot assessment`` commands (``cli``).
"""
