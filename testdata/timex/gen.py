#!/usr/bin/env python3
"""Generates the systematic part of nl.tsv and en.tsv from an independent reference
implementation of the calendar arithmetic (Python's datetime), so the Rust tagger is
checked against a second implementation, not against its own output.

Run from this folder: python3 gen.py  (rewrites the blocks between the GENERATED markers;
hand-written cases above the markers are kept)."""
import datetime as dt
import calendar

D = dt.date
ONE = dt.timedelta(days=1)


def iso(d):
    return d.isoformat()


def week(d):
    y, w, _ = d.isocalendar()
    return y, w


def week_start(y, w):
    return dt.date.fromisocalendar(y, w, 1)


def dct_range(dct):
    p = dct.split('-')
    if len(p) == 3:
        d = D(*map(int, p))
        return d, d
    if len(p) == 2:
        y, m = int(p[0]), int(p[1])
        return D(y, m, 1), D(y, m, calendar.monthrange(y, m)[1])
    y = int(p[0])
    return D(y, 1, 1), D(y, 12, 31)


def merge(a, b):
    if a == b:
        return a
    fa, fb = a.split('-'), b.split('-')
    out = []
    differ = False
    for x, y in zip(fa, fb):
        differ = differ or x != y
        if not differ:
            out.append(x)
        else:
            lead = ''.join(c for c in x if c.isalpha())[:1] if x[:1].isalpha() else ''
            out.append(lead + 'X' * (len(x) - len(lead)))
    return '-'.join(out)


def row(text, dct, expr, typ, value, mod='-', lo=None, hi=None):
    rng = f"{iso(lo)}..{iso(hi)}" if lo and hi else '-'
    assert expr in text, (expr, text)
    return '\t'.join([text, dct, expr, typ, value, mod, rng])


def add_months(d, n):
    i = d.year * 12 + d.month - 1 + n
    y, m = divmod(i, 12)
    m += 1
    return D(y, m, min(d.day, calendar.monthrange(y, m)[1]))


DCTS = ['2019-02', '2019-02-10', '2019-02-13', '2018-12-31', '2020-12-28', '2019-12-30',
        '2015-12-28', '2016-02-29', '2019-12-27', '2018-01', '2017', '2016-03-01', '2021-01-03',
        '2024-02', '2000-02-29', '2019-06-15']

WD_NL = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag']
WD_EN = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
MO_NL = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus',
         'september', 'oktober', 'november', 'december']
MO_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
         'September', 'October', 'November', 'December']
NUM_NL = {2: 'twee', 3: 'drie', 4: 'vier', 5: 'vijf', 6: 'zes', 10: 'tien', 18: 'achttien', 24: 'vierentwintig'}
NUM_EN = {2: 'two', 3: 'three', 4: 'four', 5: 'five', 6: 'six', 10: 'ten', 18: 'eighteen', 24: 'twenty-four'}


def last_weekday(d, w):  # strictly before d
    delta = ((d.weekday() - w - 1) % 7) + 1
    return d - dt.timedelta(days=delta)


def next_weekday(d, w):  # strictly after d
    delta = ((w - d.weekday() - 1) % 7) + 1
    return d + dt.timedelta(days=delta)


def weekday_rows(lang):
    rows = []
    for dct in DCTS:
        lo, hi = dct_range(dct)
        for w in range(7):
            for direction in (-1, 1):
                a = (last_weekday if direction < 0 else next_weekday)(lo, w)
                b = (last_weekday if direction < 0 else next_weekday)(hi, w)
                if a == b:
                    value = iso(a)
                else:
                    year = str(a.year) if a.year == b.year else 'XXXX'
                    value = f"{year}-WXX-{w + 1}"
                if lang == 'nl':
                    word = ('afgelopen ' if direction < 0 else 'volgende ') + WD_NL[w]
                    text = f"De minister sprak {word} in Den Haag." if direction < 0 else f"De minister spreekt {word} in Den Haag."
                else:
                    word = ('last ' if direction < 0 else 'next ') + WD_EN[w]
                    text = f"The minister spoke {word} in London." if direction < 0 else f"The minister will speak {word} in London."
                rows.append(row(text, dct, word, 'DATE', value, '-', min(a, b), max(a, b)))
    return rows


def unit_rows(lang):
    rows = []
    for dct in DCTS:
        lo, hi = dct_range(dct)
        cases = []
        for k, (nl, en) in {-1: ('vorige week', 'last week'), 1: ('volgende week', 'next week'), 0: ('deze week', 'this week')}.items():
            (ya, wa), (yb, wb) = week(lo + dt.timedelta(weeks=k)), week(hi + dt.timedelta(weeks=k))
            va, vb = f"{ya:04}-W{wa:02}", f"{yb:04}-W{wb:02}"
            s = week_start(ya, wa)
            e = week_start(yb, wb) + dt.timedelta(days=6)
            cases.append((nl, en, merge(va, vb), s, e))
        for k, (nl, en) in {-1: ('vorige maand', 'last month'), 1: ('volgende maand', 'next month'), 0: ('deze maand', 'this month')}.items():
            a, b = add_months(lo.replace(day=1), k), add_months(hi.replace(day=1), k)
            va, vb = f"{a.year:04}-{a.month:02}", f"{b.year:04}-{b.month:02}"
            e = D(b.year, b.month, calendar.monthrange(b.year, b.month)[1])
            cases.append((nl, en, merge(va, vb), a, e))
        for k, (nl, en) in {-1: ('vorig jaar', 'last year'), 1: ('volgend jaar', 'next year'), 0: ('dit jaar', 'this year')}.items():
            va, vb = str(lo.year + k), str(hi.year + k)
            cases.append((nl, en, merge(va, vb), D(lo.year + k, 1, 1), D(hi.year + k, 12, 31)))
        for k, (nl, en) in {-1: ('gisteren', 'yesterday'), 0: ('vandaag', 'today'), 1: ('morgen', 'tomorrow')}.items():
            a, b = lo + k * ONE, hi + k * ONE
            cases.append((nl, en, merge(iso(a), iso(b)), a, b))
        for n in (2, 4, 10):
            va, vb = str(lo.year - n), str(hi.year - n)
            cases.append((f"{NUM_NL[n]} jaar geleden", f"{NUM_EN[n]} years ago", merge(va, vb), D(lo.year - n, 1, 1), D(hi.year - n, 12, 31)))
        for n in (3, 18):
            a, b = add_months(lo.replace(day=1), -n), add_months(hi.replace(day=1), -n)
            va, vb = f"{a.year:04}-{a.month:02}", f"{b.year:04}-{b.month:02}"
            e = D(b.year, b.month, calendar.monthrange(b.year, b.month)[1])
            cases.append((f"{NUM_NL[n]} maanden geleden", f"{NUM_EN[n]} months ago", merge(va, vb), a, e))
        for n in (2, 5):
            a, b = lo - n * ONE, hi - n * ONE
            cases.append((f"{NUM_NL[n]} dagen geleden", f"{NUM_EN[n]} days ago", merge(iso(a), iso(b)), a, b))
        for nl, en, value, s, e in cases:
            if lang == 'nl':
                rows.append(row(f"Het gebeurde {nl} volgens de krant.", dct, nl, 'DATE', value, '-', s, e))
            else:
                rows.append(row(f"It happened {en}, the paper said.", dct, en, 'DATE', value, '-', s, e))
        # anchored durations: the last N months / years
        for n in (2, 6, 18, 24):
            s = add_months(lo, -n)
            if lang == 'nl':
                expr = f"de afgelopen {NUM_NL[n]} maanden"
                rows.append(row(f"Drie keer {expr} zag men hem.", dct, expr, 'DURATION', f"P{n}M", '-', s, hi))
            else:
                expr = f"the past {NUM_EN[n]} months"
                rows.append(row(f"Three times in {expr} he was seen.", dct, expr, 'DURATION', f"P{n}M", '-', s, hi))
    return rows


def absolute_rows(lang):
    rows = []
    dates = [D(2016, 11, 3), D(2016, 2, 29), D(2000, 2, 29), D(2019, 12, 31), D(2020, 1, 1), D(1999, 7, 4),
             D(2024, 2, 29), D(1989, 10, 26), D(2015, 3, 1), D(2008, 5, 31), D(2012, 9, 15), D(1995, 4, 30)]
    for d in dates:
        for dct in ('2019-02', '2018-01-15', '2016'):
            if lang == 'nl':
                expr = f"{d.day} {MO_NL[d.month - 1]} {d.year}"
                rows.append(row(f"Op {expr} werd het bekend.", dct, expr, 'DATE', iso(d), '-', d, d))
                expr2 = f"{MO_NL[d.month - 1]} {d.year}"
                e = D(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
                rows.append(row(f"Sinds {expr2} is er niets gebeurd.", dct, expr2, 'DATE', f"{d.year:04}-{d.month:02}", '-', D(d.year, d.month, 1), e))
                rows.append(row(f"Dat was op {iso(d)} al zo.", dct, iso(d), 'DATE', iso(d), '-', d, d))
            else:
                expr = f"{MO_EN[d.month - 1]} {d.day}, {d.year}"
                rows.append(row(f"On {expr} it became known.", dct, expr, 'DATE', iso(d), '-', d, d))
                expr2 = f"{d.day} {MO_EN[d.month - 1]} {d.year}"
                rows.append(row(f"Since {expr2} nothing happened.", dct, expr2, 'DATE', iso(d), '-', d, d))
                rows.append(row(f"That was on {iso(d)} already.", dct, iso(d), 'DATE', iso(d), '-', d, d))
    # impossible days: the day is not tagged, the month and year still are
    for y, m, day in [(2019, 2, 29), (2019, 2, 31), (2100, 2, 29), (2018, 4, 31), (2019, 6, 31)]:
        e = D(y, m, calendar.monthrange(y, m)[1])
        if lang == 'nl':
            rows.append(row(f"Op {day} {MO_NL[m - 1]} {y} kan niet.", '2019-02', f"{MO_NL[m - 1]} {y}", 'DATE', f"{y:04}-{m:02}", '-', D(y, m, 1), e))
        else:
            rows.append(row(f"On {day} {MO_EN[m - 1]} {y} cannot be.", '2019-02', f"{MO_EN[m - 1]} {y}", 'DATE', f"{y:04}-{m:02}", '-', D(y, m, 1), e))
    return rows


def duration_rows(lang):
    rows = []
    units_nl = [('jaar', 'Y'), ('maanden', 'M'), ('weken', 'W'), ('dagen', 'D'), ('uur', 'TH'), ('minuten', 'TM'), ('seconden', 'TS')]
    units_en = [('years', 'Y'), ('months', 'M'), ('weeks', 'W'), ('days', 'D'), ('hours', 'TH'), ('minutes', 'TM'), ('seconds', 'TS')]
    for n in (2, 3, 5, 10, 18, 24, 45):
        for (unl, code), (uen, _) in zip(units_nl, units_en):
            v = f"PT{n}{code[1]}" if code.startswith('T') else f"P{n}{code}"
            if lang == 'nl':
                expr = f"{NUM_NL.get(n, n)} {unl}"
                rows.append(row(f"Het duurde {expr} voordat hij terugkwam.", '2019-02', expr, 'DURATION', v))
            else:
                expr = f"{NUM_EN.get(n, n)} {uen}"
                rows.append(row(f"It took {expr} before he came back.", '2019-02', expr, 'DURATION', v))
    return rows


def main():
    for lang in ('nl', 'en'):
        path = f"{lang}.tsv"
        try:
            head = open(path, encoding='utf-8').read().split('# GENERATED')[0]
        except FileNotFoundError:
            head = ''
        rows = weekday_rows(lang) + unit_rows(lang) + absolute_rows(lang) + duration_rows(lang)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(head)
            f.write('# GENERATED by gen.py from a Python reference implementation; do not edit below\n')
            f.write('\n'.join(rows) + '\n')
        print(path, len(rows), 'generated rows')


main()
