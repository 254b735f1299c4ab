"""Reading a time series from a CSV file, refusing every fault with a message that says what to do.

:func:`load_series` reads the file in named steps, each refusing its own
faults with the file name, the column, the offending lines and the fix:

1. ``_read_table``: the text, split into a header and rows (blank lines skipped);
2. ``_check_separator``, ``_choose_columns``, ``_check_cells``: the header and every row;
3. ``_parse_times``: the timestamp column;
4. ``_parse_values``: the numeric columns (decimal commas, infinities);
5. ``_check_order``: sorted by time, no repeated timestamps;
6. ``_check_grid``: the timestamps sit on one regular grid, with gaps only if ``fill=`` says;
7. ``_check_missing_values``, ``_insert_gaps``, ``_fill``: missing values, as ``fill=`` says.

The grid rule (``_guess_grid``) is shared with :func:`find_gaps`, so the two
always agree about the same timestamps. Both are re-exported by
:mod:`helpers.data`, where the lessons find them.

NumPy and pandas only.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import _checks

__all__ = ["load_series", "find_gaps"]


# Cell texts read as "missing" (pandas' usual markers, written out here so the rule is visible).
_MISSING = frozenset(
    {"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a", "#na", "nat", "missing"}
)
_FILLS = ("interpolate", "ffill", "drop", "keep")
_SHOW = 5  # offending rows quoted in an error message


def _lines(numbers) -> str:
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:_SHOW])
    more = f" and {len(numbers) - _SHOW} more" if len(numbers) > _SHOW else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def _examples(lines, cells) -> str:
    pairs = list(zip(lines, cells, strict=True))
    shown = ", ".join(f"line {n}: {c!r}" for n, c in pairs[:_SHOW])
    more = f" and {len(pairs) - _SHOW} more" if len(pairs) > _SHOW else ""
    return shown + more


def _read_table(path: Path, sep: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows (cells as text) and each row's line number in the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: drop the byte-order mark Excel writes
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path.name} is not UTF-8 text ({error.reason} at byte {error.start}): is it a "
            "spreadsheet (.xlsx) or another encoding? Save it as CSV UTF-8 and try again"
        ) from None
    if not text.strip():
        raise ValueError(f"{path.name} is empty: it has no header and no rows")
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise ValueError(
            f"{path.name} could not be read as CSV at line {reader.line_num}: {error}"
        ) from None
    # Blank lines are not data: skip them, but keep every other row's true line number.
    records = [(n, row) for n, row in records if any(cell.strip() for cell in row)]
    header = [name.strip() for name in records[0][1]]
    rows = [row for _, row in records[1:]]
    lines = [n for n, _ in records[1:]]
    return header, rows, lines


def _check_separator(path: Path, header: list[str], time_column: str, sep: str) -> None:
    if len(header) > 1 or header[0] == time_column:
        return
    found = [s for s in (",", ";", "\t", "|") if s != sep and s in header[0]]
    hint = (
        f"it looks {found[0]!r}-separated: pass sep={found[0]!r}"
        + (" (and decimal=',' if numbers are written like 3,5)" if found[0] == ";" else "")
        if found
        else "check the separator (sep=) and that the first line is the header"
    )
    raise ValueError(
        f"{path.name} could not be split into columns with sep={sep!r}: the header line reads "
        f"{header[0]!r}; {hint}"
    )


def _parse_numbers(path, column, cells, lines, decimal):
    """Float array of one column; NaN for missing markers; ValueError for text."""
    stripped = pd.Series([cell.strip() for cell in cells], dtype=object)
    missing = stripped.str.lower().isin(_MISSING).to_numpy()
    text = stripped.str.replace(decimal, ".", regex=False) if decimal != "." else stripped
    numbers = pd.to_numeric(text.where(~missing, "nan"), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(numbers) & ~missing
    if bad.any():
        bad_cells = stripped[bad].tolist()
        comma = decimal == "." and any(re.fullmatch(r"[+-]?\d+,\d+", c) for c in bad_cells)
        hint = (
            "the numbers use a decimal comma: pass decimal=','"
            if comma
            else "correct or delete those cells (leave a cell empty for a missing value)"
        )
        raise ValueError(
            f"{path.name}: column {column!r} should hold numbers but has text at "
            f"{_examples(np.asarray(lines)[bad], bad_cells)}; {hint}"
        )
    return numbers


# Grids whose steps differ in length (months of 28-31 days); fixed steps come from the data.
_CALENDAR_GRIDS = ("YS", "YE", "QS", "QE", "MS", "ME")
_FREQ_EXAMPLES = "a pandas offset alias such as 'D', 'B', 'MS' or 'W-SUN'"


def _check_freq(freq):
    """``freq`` as a pandas offset (None stays None)."""
    if freq is None:
        return None
    if not isinstance(freq, (str, pd.offsets.BaseOffset)):
        raise TypeError(f"freq must be {_FREQ_EXAMPLES}, got {type(freq).__name__} {freq!r}")
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        raise ValueError(f"freq must be {_FREQ_EXAMPLES}, got {freq!r}") from None


def _step_offset(step: pd.Timedelta, first: pd.Timestamp):
    """The offset for one fixed step: 'W-SAT' for 7 days from a Saturday, '2D', '15min', ..."""
    days, rest = divmod(step, pd.Timedelta(days=1))
    if rest == pd.Timedelta(0) and days == 7:
        return pd.tseries.frequencies.to_offset(f"W-{first.day_name()[:3].upper()}")
    if rest == pd.Timedelta(0):
        return pd.tseries.frequencies.to_offset(f"{days}D")
    return pd.tseries.frequencies.to_offset(step)


def _guess_grid(index: pd.DatetimeIndex):
    """The offset of the most common step between neighbouring timestamps, or None.

    Candidates: the calendar grids (yearly, quarterly, monthly, at starts or
    ends) and the most common fixed step. The one that links the most
    neighbours wins; it must link at least half of them, else the spacing is
    too irregular to speak of missing timestamps.
    """
    steps = index[1:] - index[:-1]  # (time - 1,), all positive: duplicates were refused
    counts = steps.value_counts()
    modal = counts.index[counts == counts.max()].min()  # the shortest of equally common steps
    candidates = [pd.tseries.frequencies.to_offset(a) for a in _CALENDAR_GRIDS]
    candidates.append(_step_offset(modal, index[0]))
    linked = [int(((index[:-1] + offset) == index[1:]).sum()) for offset in candidates]
    best = int(np.argmax(linked))  # the first of equals: a calendar grid before a fixed step
    return candidates[best] if 2 * linked[best] >= len(steps) else None


def _stamp_format(index: pd.DatetimeIndex) -> str:
    return "%Y-%m-%d" if (index == index.normalize()).all() else "%Y-%m-%d %H:%M:%S"


def _step_text(step: pd.Timedelta) -> str:
    for unit, size in (("day", "1D"), ("hour", "1h"), ("minute", "1min"), ("second", "1s")):
        count, rest = divmod(step, pd.Timedelta(size))
        if count and rest == pd.Timedelta(0):
            return f"{count} {unit}{'s' * (count != 1)}"
    return str(step)


_RESAMPLE = (
    "or put them on a regular grid with pandas before saving the file, e.g. "
    "df.resample('D').mean() for daily means"
)


def _irregular_message(path, time_column, index, lines, offset, *, given) -> str:
    """Why the timestamps fit no regular grid (``offset``: the grid tried, or None)."""
    fmt = _stamp_format(index)
    off = np.zeros(len(index), dtype=bool)
    if offset is not None:
        off = ~index.isin(pd.date_range(index[0], index[-1], freq=offset))
    examples = _examples(lines[off], list(index[off].strftime(fmt)))
    if given:
        return (
            f"{path.name}: column {time_column!r} has {int(off.sum())} timestamps that are not "
            f"on the grid freq={offset.freqstr!r}: {examples}; check freq=, pass fill='drop' to "
            f"accept the spacing as it is, {_RESAMPLE}"
        )
    steps = index[1:] - index[:-1]  # (time - 1,)
    short, long_ = int(np.argmin(steps)), int(np.argmax(steps))
    where = (
        f", and {int(off.sum())} of them are off the grid of the most common step "
        f"(freq={offset.freqstr!r}): {examples}"
        if off.any()
        else ""
    )
    return (
        f"{path.name}: the timestamps in column {time_column!r} are irregularly spaced: the steps "
        f"between rows range from {_step_text(steps[short])} (lines {lines[short]} and "
        f"{lines[short + 1]}) to {_step_text(steps[long_])} (lines {lines[long_]} and "
        f"{lines[long_ + 1]}){where}; no regular grid (yearly, quarterly, monthly, weekly, "
        "daily, hourly, ...) holds them all with only a few missing, and windows cut from such a "
        "series mix time scales without saying so. Pass fill='drop' to accept the spacing as it "
        "is, freq= if the timestamps do follow a grid (e.g. freq='B' for business days), "
        + _RESAMPLE
    )


def _gap_message(path, time_column, index, lines, offset, missing, *, given, blanks) -> str:
    """Which timestamps the grid ``offset`` misses, between which lines, and what to do."""
    fmt = _stamp_format(index)
    after = index.searchsorted(missing[:_SHOW])  # the row that follows each missing timestamp
    groups: list[tuple[int, list[str]]] = []  # (row after the gap, its missing timestamps)
    for stamp, row in zip(missing[:_SHOW].strftime(fmt), after, strict=True):
        if groups and groups[-1][0] == row:
            groups[-1][1].append(stamp)
        else:
            groups.append((int(row), [stamp]))
    shown = "; ".join(
        f"{', '.join(stamps)} (between lines {lines[row - 1]} and {lines[row]})"
        for row, stamps in groups
    )
    more = f" and {len(missing) - _SHOW} more" if len(missing) > _SHOW else ""
    count = len(missing)
    which = "the grid freq=" if given else "the grid of its most common step, freq="
    weekends = (
        "; all of them are Saturdays or Sundays: for business-day data (weekdays only) pass "
        "freq='B'"
        if not given and offset.freqstr == "D" and bool((missing.day_of_week >= 5).all())
        else ""
    )
    also = (
        f"; the file also has {blanks} blank value{'s' * (blanks > 1)}, which the same fill= "
        "handles"
        if blanks
        else ""
    )
    return (
        f"{path.name}: column {time_column!r} is missing {count} timestamp{'s' * (count > 1)} "
        f"from {which}{offset.freqstr!r}: {shown}{more}{weekends}{also}; windows across a gap "
        "would mix time scales without saying so. Pass fill='interpolate' (insert the missing "
        "timestamps, a straight line between neighbours), fill='ffill' (insert them, repeat the "
        "last value), fill='keep' (insert them as NaN), fill='drop' (accept the uneven spacing "
        "as it is), or freq= if the grid was guessed wrong"
    )


def _grid(index: pd.DatetimeIndex, offset):
    """The grid of ``offset`` from the first to the last timestamp, or None if one is off it.

    With :func:`_guess_grid`, the one rule of this module for "which regular
    grid do these timestamps sit on": :func:`load_series` and :func:`find_gaps`
    both use it.
    """
    if offset is None:
        return None
    grid = pd.date_range(index[0], index[-1], freq=offset, name=index.name)
    return grid if index.isin(grid).all() else None


def _check_grid(path, time_column, index, lines, offset, *, fill, blanks):
    """The regular grid from the first to the last timestamp, holding all of them.

    Refuses timestamps that fit no grid, and timestamps missing from the grid
    unless ``fill`` says what to do with them. ``offset`` None: guess the grid.
    """
    if len(index) < 2:
        return index
    given = offset is not None
    if not given:
        offset = _guess_grid(index)
    grid = _grid(index, offset)
    if grid is None:
        raise ValueError(_irregular_message(path, time_column, index, lines, offset, given=given))
    missing = grid.difference(index)
    if len(missing) and fill is None:
        raise ValueError(
            _gap_message(
                path, time_column, index, lines, offset, missing, given=given, blanks=blanks
            )
        )
    return grid


def load_series(
    path,
    *,
    time_column,
    value_columns=None,
    fill=None,
    freq=None,
    sep=",",
    decimal=".",
    date_format=None,
):
    """Read a time series from a CSV file, refusing every fault with a message that says what to do.

    The file needs a header line, one column of timestamps and one or more
    numeric columns. Rows are sorted by time. Faults found, in this order,
    each raising with the file name, the column and the first offending lines:
    a missing or empty file, a separator that does not split the header, unknown
    column names, rows with the wrong number of cells, unparseable or missing
    dates, text in a numeric column (a decimal comma is recognised),
    infinities, duplicate timestamps, timestamps that follow no regular grid,
    timestamps missing from the grid (a daily file with three days absent),
    and missing values. Gaps and missing values are refused unless ``fill``
    says how to treat them: nothing is filled or accepted silently, because
    windows across a gap mix time scales without the reader knowing.

    The grid is the most common step between neighbouring rows (yearly,
    quarterly and monthly at starts or ends, or a fixed step such as daily,
    weekly or hourly), or ``freq`` when given. Business days need
    ``freq="B"``: guessed, weekday-only data looks like a daily grid with every
    weekend missing.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    time_column : str
        Name of the timestamp column; it becomes the index.
    value_columns : str or list of str, optional
        Columns to return, in this order; default every other column.
    fill : {None, "interpolate", "ffill", "drop", "keep"}, default None
        What to do with missing values and missing timestamps. None: refuse
        them. "interpolate", "ffill" and "keep" first insert every timestamp
        missing from the grid (as a row of NaN), then fill all NaN:
        "interpolate" with a straight line in time between the neighbours,
        "ffill" by repeating the last value seen, "keep" not at all (returned
        as NaN). "drop": remove rows with missing values and insert nothing,
        accepting uneven or irregular spacing as it is.
    freq : str or pandas DateOffset, optional
        The grid the timestamps sit on, as a pandas offset alias such as "D"
        (daily), "B" (business days), "W-SUN" (weekly, on Sundays) or "MS"
        (month starts). Default: guessed from the most common step.
    sep : str, default ","
        Column separator, e.g. ";" or "\\t".
    decimal : str, default "."
        Decimal mark, e.g. "," for ``3,5``.
    date_format : str, optional
        A ``strftime`` format such as ``"%d/%m/%Y"``; default: inferred from the first date.

    Returns
    -------
    DataFrame, shape (time, len(value_columns))
        Float columns, a sorted :class:`pandas.DatetimeIndex` named ``time_column``
        with its ``freq`` set when the timestamps are regular (always, unless
        ``fill="drop"`` let uneven spacing through).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For every fault listed above: the message names the file, the column,
        the first offending lines (for missing timestamps: the first few and
        the lines between which they fall) and what to do. Also if ``fill`` or
        ``freq`` is not one of the accepted values.
    TypeError
        If ``time_column`` is not a string, or ``freq`` is neither a string nor
        a pandas DateOffset.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> csv_file = pathlib.Path(folder.name) / "shop.csv"
    >>> _ = csv_file.write_text("day,sales\\n2024-01-03,7\\n2024-01-01,3\\n2024-01-02,\\n")
    >>> load_series(csv_file, time_column="day", fill="interpolate")  # sorted, gap filled
                sales
    day
    2024-01-01    3.0
    2024-01-02    5.0
    2024-01-03    7.0
    >>> load_series(csv_file, time_column="day")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: shop.csv: column 'sales' has 1 missing value at line 4; ...

    Three days absent from a daily file are refused, then inserted and filled on request:

    >>> _ = csv_file.write_text("day,sales\\n2024-01-01,3\\n2024-01-02,4\\n2024-01-06,8\\n")
    >>> load_series(csv_file, time_column="day")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: shop.csv: column 'day' is missing 3 timestamps ... (between lines 3 and 4); ...
    >>> filled = load_series(csv_file, time_column="day", fill="interpolate")
    >>> filled["sales"].tolist(), filled.index.freqstr
    ([3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 'D')
    >>> folder.cleanup()
    """
    _checks.column_name(time_column, "time_column")
    if fill not in (None, *_FILLS):
        raise ValueError(f"fill must be None or one of {_FILLS}, got {fill!r}")
    offset = _check_freq(freq)
    path = _check_path(path)
    header, rows, lines = _read_table(path, sep)
    _check_separator(path, header, time_column, sep)
    wanted = _choose_columns(path, header, time_column, value_columns, has_rows=bool(rows))
    cells = _check_cells(path, header, rows, lines, sep)
    lines = np.asarray(lines)
    times = _parse_times(path, time_column, cells[time_column], lines, date_format)
    values = _parse_values(path, {c: cells[c] for c in wanted}, lines, decimal)
    frame, lines = _check_order(path, time_column, pd.DataFrame(values, index=times), lines)
    # Timestamps missing from a regular grid, or no grid at all: refused unless fill= says
    # what to do ("drop" accepts the spacing as it is and inserts nothing).
    grid = None
    if fill != "drop":
        blanks = int(frame.isna().to_numpy().sum())
        grid = _check_grid(path, time_column, frame.index, lines, offset, fill=fill, blanks=blanks)
    _check_missing_values(path, frame, lines, fill)
    frame, lines, inserted = _insert_gaps(frame, lines, grid)
    frame = _fill(path, frame, lines, inserted, fill)
    return _with_freq(frame, grid)


def _check_path(path) -> Path:
    path = Path(path)
    if not path.is_file():
        where = "" if path.is_absolute() else " (relative paths start in the current folder)"
        raise FileNotFoundError(
            f"no CSV file at {str(path)!r}{where}: check DATA_PATH / the file name"
        )
    return path


def _choose_columns(path, header, time_column, value_columns, *, has_rows) -> list[str]:
    """The value columns to read, in order; refuses repeated, unknown or missing columns."""
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValueError(f"{path.name}: the header names {repeated} more than once; rename them")
    if isinstance(value_columns, str):
        value_columns = [value_columns]
    wanted = [c for c in header if c != time_column] if value_columns is None else value_columns
    unknown = [c for c in [time_column, *wanted] if c not in header]
    if unknown:
        raise ValueError(
            f"{path.name} has no column {', '.join(map(repr, unknown))}: its columns are "
            f"{header}; check time_column / value_columns (TIME_COLUMN, FEATURE_COLUMNS)"
        )
    if time_column in wanted:
        raise ValueError(f"value_columns must not include the time column {time_column!r}")
    if not wanted:
        raise ValueError(f"{path.name} has no column besides {time_column!r} to read values from")
    if not has_rows:
        raise ValueError(f"{path.name} has a header but no data rows")
    return list(wanted)


def _check_cells(path, header, rows, lines, sep) -> dict[str, list[str]]:
    """Each column's cells; refuses rows with too many or too few cells.

    A row of the wrong length usually means an unquoted decimal comma or a
    stray separator.
    """
    ragged = [(n, len(row)) for n, row in zip(lines, rows, strict=True) if len(row) != len(header)]
    if ragged:
        shown = ", ".join(f"line {n} has {k}" for n, k in ragged[:_SHOW])
        raise ValueError(
            f"{path.name}: the header has {len(header)} cells but {shown}"
            f"{f' and {len(ragged) - _SHOW} more' if len(ragged) > _SHOW else ''}: "
            f"is the separator {sep!r} also used inside values (e.g. a decimal comma)? "
            "Fix those lines, or pass the right sep= and decimal="
        )
    return {name: [row[i] for row in rows] for i, name in enumerate(header)}


def _parse_times(path, time_column, cells, lines, date_format) -> pd.DatetimeIndex:
    """The timestamp column as a DatetimeIndex; refuses empty and unreadable dates."""
    stamps = pd.Series([cell.strip() for cell in cells], dtype=object)
    empty = (stamps == "").to_numpy()
    if empty.any():
        raise ValueError(
            f"{path.name}: column {time_column!r} has {int(empty.sum())} missing dates at "
            f"{_lines(lines[empty])}; every row needs a timestamp: fill them in or delete the rows"
        )
    with warnings.catch_warnings():
        # pandas warns when it cannot infer one format and falls back to parsing each
        # date separately; the dates it still cannot read are reported just below.
        warnings.filterwarnings("ignore", message="Could not infer format", category=UserWarning)
        times = pd.to_datetime(stamps, format=date_format, errors="coerce")
    bad = times.isna().to_numpy()
    if bad.any():
        raise ValueError(
            f"{path.name}: column {time_column!r} has dates that could not be read at "
            f"{_examples(lines[bad], stamps[bad].tolist())}; write them like 2024-01-31 "
            "(ISO 8601), or pass date_format= (e.g. '%d/%m/%Y') if all use another format"
        )
    return pd.DatetimeIndex(times, name=time_column)


def _parse_values(path, cells, lines, decimal) -> dict[str, np.ndarray]:
    """Every value column as floats (NaN where missing); refuses text and infinities."""
    values = {c: _parse_numbers(path, c, column, lines, decimal) for c, column in cells.items()}
    for column, array in values.items():
        infinite = np.isinf(array)
        if infinite.any():
            raise ValueError(
                f"{path.name}: column {column!r} has {int(infinite.sum())} infinite values at "
                f"{_lines(lines[infinite])}; an infinity is usually a division by zero upstream: "
                "replace them with the real value or leave the cells empty"
            )
    return values


def _check_order(path, time_column, frame, lines):
    """``frame`` sorted by time (and each row's line, sorted alike); refuses repeated timestamps."""
    frame = frame.assign(_line=lines)
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    duplicated = frame.index.duplicated(keep=False)
    if duplicated.any():
        repeats = frame[duplicated]
        shown = "; ".join(
            f"{stamp:%Y-%m-%d %H:%M:%S} at {_lines(group['_line'])}"
            for stamp, group in list(repeats.groupby(level=0))[:_SHOW]
        )
        raise ValueError(
            f"{path.name}: column {time_column!r} has "
            f"{repeats.index.nunique()} repeated timestamps: {shown}; keep one row per "
            "timestamp (delete duplicates, or average them: df.groupby(level=0).mean())"
        )
    lines = frame.pop("_line").to_numpy()
    return frame, lines


def _check_missing_values(path, frame, lines, fill) -> None:
    """Refuse blank values unless ``fill`` says what to do with them."""
    gaps = frame.isna()
    if not gaps.to_numpy().any() or fill is not None:
        return
    column = gaps.any().idxmax()
    count = int(gaps[column].sum())
    raise ValueError(
        f"{path.name}: column {column!r} has {count} missing value{'s' * (count > 1)} at "
        f"{_lines(lines[gaps[column].to_numpy()])}"
        f"{' (other columns too)' if gaps.any().sum() > 1 else ''}; fill the cells, or pass "
        "fill='interpolate' (straight line between neighbours), fill='ffill' (repeat the "
        "last value), fill='drop' (remove those rows) or fill='keep' (keep them as NaN)"
    )


def _insert_gaps(frame, lines, grid):
    """Insert the grid's missing timestamps as NaN rows; they have no line in the file (0).

    Returns the frame, each row's line and which rows were inserted.
    """
    if grid is None or len(grid) <= len(frame):
        return frame, lines, np.zeros(len(frame), dtype=bool)
    inserted = ~grid.isin(frame.index)
    in_file = lines
    lines = np.zeros(len(grid), dtype=int)
    lines[~inserted] = in_file
    return frame.reindex(grid), lines, inserted


def _fill(path, frame, lines, inserted, fill):
    """Fill NaN as ``fill`` says; refuses what an interpolation or a forward fill cannot reach."""
    if fill == "interpolate":
        frame = frame.interpolate(method="time", limit_area="inside")
    elif fill == "ffill":
        frame = frame.ffill()
    elif fill == "drop":
        frame = frame.dropna()
    if fill in ("interpolate", "ffill") and frame.isna().to_numpy().any():
        column = frame.isna().any().idxmax()
        unfilled = frame[column].isna().to_numpy()
        n_new = int((unfilled & inserted).sum())
        at = _lines(lines[unfilled & ~inserted]) + (
            f" (and {n_new} inserted timestamp{'s' * (n_new > 1)} next to them)" if n_new else ""
        )
        why = (
            "at the start or end of the series there is no value on one side to draw a line from"
            if fill == "interpolate"
            else "at the start of the series there is no earlier value to repeat"
        )
        raise ValueError(
            f"{path.name}: fill={fill!r} cannot fill the missing values of column {column!r} at "
            f"{at}: {why}; fill them in the file or use fill='drop'"
        )
    return frame


def _with_freq(frame, grid):
    """``frame`` with its index's ``freq`` set when the timestamps are regular."""
    if grid is not None and len(grid) >= 2:
        frame.index = grid  # regular: date_range set its freq
    elif len(frame) >= 3:
        # freq="infer" sets the index's frequency when the steps are regular (else None).
        frame.index = pd.DatetimeIndex(frame.index, freq="infer")
    return frame


def find_gaps(frame, *, freq=None):
    """Timestamps missing from a regular grid: the rows a series should have but does not.

    Parameters
    ----------
    frame : DataFrame or Series with a DatetimeIndex, or a DatetimeIndex, length (time,)
    freq : str or DateOffset, optional
        The grid, e.g. ``"D"``, ``"W-SAT"``, ``"MS"``; default: guessed by the
        rule :func:`load_series` uses (the calendar grid or fixed step that links
        the most neighbouring timestamps, at least half of them), which must
        hold every timestamp. So the gaps found here are the timestamps
        ``load_series(..., fill="keep")`` inserts.

    Returns
    -------
    DatetimeIndex, shape (n_missing,)

    Raises
    ------
    TypeError
        If there is no DatetimeIndex.
    ValueError
        If there are fewer than two timestamps, or ``freq`` is None and no
        regular grid holds them all.

    Examples
    --------
    >>> days = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05"])
    >>> find_gaps(days)
    DatetimeIndex(['2024-01-03', '2024-01-04'], dtype='datetime64[us]', freq='D')
    >>> months = pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-05-01"])
    >>> find_gaps(months).strftime("%Y-%m").tolist()
    ['2024-03', '2024-04']
    """
    index = frame if isinstance(frame, pd.DatetimeIndex) else getattr(frame, "index", None)
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"frame must have a DatetimeIndex, got {type(index).__name__}")
    if len(index) < 2:
        raise ValueError(f"frame must have at least 2 timestamps, got {len(index)}")
    index = index.sort_values()
    if freq is not None:
        grid = pd.date_range(index[0], index[-1], freq=_check_freq(freq))
        return grid.difference(index)
    grid = _grid(index, _guess_grid(index))
    if grid is None:
        raise ValueError(
            "the timestamps follow no regular calendar step (yearly, quarterly, monthly) or "
            "fixed step (weekly, daily, hourly, ...) that links at least half of the neighbouring "
            "timestamps and holds them all: pass freq= to say which grid to check against"
        )
    return grid.difference(index).rename(None)
