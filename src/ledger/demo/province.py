"""A province's five years (2020–2024) as an import file, in the order its rules need: the
units (``province_data.build``); each chain in time order (a holder ends, the successor starts,
the posts below move to them); then each inspection with its findings' whole loops and its
cases, which read the chains by valid time. ``random.Random(seed)`` decides all."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain, product
from pathlib import Path
from typing import Any, TextIO

from ledger.demo import province_data as d
from ledger.demo.province_data import Seat, Unit

Line = dict[str, Any]
FIRST, LAST = date(2020, 1, 1), date(2025, 12, 31)


def province_lines(scale: float = 1.0, seed: int = 2024) -> Iterator[Line]:
    """Lines of an import file, in the order they must be imported."""
    return _Province(scale, seed).lines()


def write_province(target: str | Path | TextIO, scale: float = 1.0, seed: int = 2024) -> int:
    """Write the lines as JSON Lines to a path or a text stream; returns how many."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8") as stream:
            return write_province(stream, scale, seed)
    lines = (json.dumps(line, ensure_ascii=False) + "\n" for line in province_lines(scale, seed))
    return sum(target.write(line) > 0 for line in lines)


class Steps:
    """A record's steps, dated by the timings of ``LOOPS``; none after ``LAST``."""

    def __init__(self, rng: random.Random, day: date, deadline: date = LAST) -> None:
        self.rng, self.day, self.deadline, self.steps = rng, day, deadline, list[Line]()

    def next(self, after: d.Timing, spread: d.Timing) -> date:
        left = (self.deadline - self.day).days
        days = [t if isinstance(t, int) else int(t[1:]) + (left // 2 if t[0] == "h" else left)
                for t in (after, spread)]  # fmt: skip
        self.day += timedelta(max(0, days[0]) + self.rng.randint(0, max(0, days[1])))
        return self.day

    def add(self, op: str, **fields: Any) -> None:
        if self.day <= LAST:
            self.steps.append({"op": op, **fields})


class _Province:
    def __init__(self, scale: float, seed: int) -> None:
        self.scale, self.rng, self.out = scale, random.Random(seed), list[Line]()
        self.docs, self.numbers = d.Documents(), set[str]()
        self.units = {unit.key: unit for unit in d.build(scale, self.rng)}
        self.seats = [seat for unit in self.units.values() for seat in unit.seats]
        self.pools: defaultdict[str, list[Seat]] = defaultdict(list)  # by city and role
        for seat in self.seats:
            self.pools[seat.pool].append(seat)

    def lines(self) -> Iterator[Line]:
        for _ in chain(self._chains(), self._inspections()):
            yield from self.out
            self.out.clear()

    def day(self, first: date, spread: int) -> date:
        return first + timedelta(self.rng.randint(0, max(0, spread)))

    def emit(self, kind: str, key: str, actor: str | None, **line: Any) -> None:
        self.out.append(dict(kind=kind, key=key, **line) | ({"actor": actor} if actor else {}))

    def cont(self, kind: str, of: str, *steps: Line, actor: str | None = None) -> None:
        self.emit(kind, self.docs.key(f"{of}/"), actor, of=of, steps=list(steps))

    def _chains(self) -> Iterator[None]:
        """The units; every post filled before 2020; then each change in time order."""
        rng, changes = self.rng, list[tuple[date, int, int, Seat]]()
        for unit in self.units.values():
            create: Line = dict(name=unit.name, kind=unit.kind, level=unit.place.level)
            create |= dict(code=unit.key, parent_id=unit.parent and unit.parent.key)
            self.emit("unit", unit.key, None, create=create)
        for n, seat in enumerate(self.seats):
            start = self.day(date(2016, 1, 1), 1460)
            start = max(start, seat.sup.held[0][0]) if seat.sup else start
            basis = self.docs.doc(f"{seat.unit.place.abbr}委干", start.year)
            self._move(seat, None, start, "", basis)
            order, chance = ("principal", "leader", "staff").index(seat.role), d.CHANGE[seat.role]
            if not seat.pool:  # a locality's party secretary and head of government: 换届
                term = d.TERMS[seat.unit.place.level][seat.unit.kind == "government"]
                changes += [(self.day(term, 40), order, n, seat)] if rng.random() < 0.6 else []
                chance = 0.2
            while rng.random() < chance:
                changes.append((self.day(FIRST, 1826), order, n, seat))
            if rng.random() < {"leader": 0.35, "staff": 0.03}.get(seat.role, 0):
                changes.append((self.day(FIRST, 1826), 3, n, seat))  # a portfolio, a title
            yield
        today, touched = FIRST, set[Seat]()
        for day, order, _, seat in sorted(changes, key=lambda change: change[:3]):
            today, touched = day, touched if day == today else set()
            basis = self.docs.doc(seat.unit.place.abbr + "委干", day.year)
            rank = next((r for r in d.RANKS if seat.title.endswith(r)), "")
            topics = d.topics(rng, 2, 4)
            if order == 3 and seat.role == "leader" and topics != seat.portfolio:  # 分工调整
                seat.portfolio, on = topics, str(day)
                step = dict(op="portfolio", portfolio=topics, effective_on=on, basis=basis)
                self.cont("assignment", seat.held[-1][2], step | dict(reason=d.REDIVISION))
            elif order == 3 and seat.role == "staff" and rank:  # a title with the wrong rank
                seat.title = seat.title.removesuffix(rank) + d.other(rng, d.RANKS, rank)
                step = dict(op="correct", field="title", new=seat.title, reason=d.RETITLED)
                self.cont("assignment", seat.held[-1][2], step)
            elif order < 3 and seat not in touched:
                for post, person, why in self._moves(seat, touched):
                    self._move(post, person, day, why, basis)
            yield
        for unit in [u for u in self.units.values() if u.key.endswith("." + d.RENAMED[0])]:
            on, name = str(self.day(date(2024, 3, 1), 200)), unit.place.full + d.RENAMED[1]
            basis = self.docs.doc(unit.place.abbr + "委", 2024)
            self.cont("unit", unit.key, dict(op="rename", name=name, effective_on=on, basis=basis))
        yield

    def _moves(self, seat: Seat, touched: set[Seat]) -> list[tuple[Seat, str | None, str]]:
        """Who takes the post (None: someone new), and who else moves (晋升, 交流)."""
        rng, gov, t = self.rng, seat.unit.place.units["gov"].seats[0], "transferred"
        why = rng.choices(("retired", "transferred", "removed", "other"), (45, 40, 5, 10))[0]
        other = rng.choice(self.pools[seat.pool]) if seat.pool and rng.random() < 0.4 else None
        moves: list[tuple[Seat, str | None, str]] = [(seat, None, why)]
        if not seat.pool and seat.unit.kind == "party_committee" and rng.random() < 0.5:
            moves = [(seat, gov.held[-1][1], why), (gov, None, t)]
        elif other is not None and other.unit is not seat.unit:
            moves = [(seat, other.held[-1][1], t), (other, seat.held[-1][1], t)]
        if any(post in touched for post, _, _ in moves[1:]):
            moves = [(seat, None, why)]
        touched.update(post for post, _, _ in moves)
        return moves

    def _move(self, post: Seat, person: str | None, day: date, why: str, basis: str) -> None:
        """The holder ends, ``person`` (or someone new) starts; the posts below move to them."""
        person = person or self._person(post)  # a leader is appointed by the 组织部
        actor = post.unit.name if post.role == "staff" else post.unit.place.units["zzb"].name
        if filled := bool(post.held):
            end = dict(op="end", effective_to=str(day), reason=why, note=d.ENDED[why])
            self.cont("assignment", post.held[-1][2], end | dict(basis=basis), actor=actor)
        title = d.TITLES.get(post.unit.kind, "unit_head") if post.role == "principal" else None
        create: Line = dict(unit_id=post.unit.key, person_id=person, role=post.role)
        create["title"] = post.title
        create |= dict(principal_title=title, portfolio=post.portfolio, effective_from=str(day))
        create |= dict(reports_to=post.sup.held[-1][2] if post.sup else None, basis=basis)
        post.held.append((day, person, self.docs.key("A")))
        self.emit("assignment", post.held[-1][2], actor, create=create)
        for sub in [sub for sub in post.subs if sub.held and filled]:
            line = dict(op="line", reports_to=post.held[-1][2], effective_on=str(day), basis=basis)
            self.cont("assignment", sub.held[-1][2], line | dict(reason=d.LINE))

    def _person(self, seat: Seat) -> str:
        rng, key = self.rng, self.docs.key("P")
        name, number = d.person(rng, seat.unit.place.area, d.BORN[seat.role], self.numbers)
        self.emit("person", key, None, create=dict(name=name, person_no=number))
        if int(key[1:]) % 250 == 0:  # a name recorded wrong
            fixed = name[:-1] + d.other(rng, d.GIVEN, name[-1])
            self.cont("person", key, dict(op="correct", name=fixed, reason=d.NAME_FIXED))
        return key

    def _inspections(self) -> Iterator[None]:
        """Each office inspects its government, departments and the localities below."""
        targets: defaultdict[Unit, list[Unit]] = defaultdict(list)
        for unit in self.units.values():
            if unit.kind in ("government", "department"):
                targets[unit.place.units["fzb"]].append(unit)
            if unit.kind in ("government", "party_committee") and unit.place.parent:
                targets[unit.place.parent.units["fzb"]].append(unit)
        share, plans = 4000 * self.scale / sum(map(len, targets.values())), list[Plan]()
        for (body, units), year in product(targets.items(), range(2020, 2025)):
            for _ in range(max(1, round(share * len(units)))):
                plans.append((self.day(date(year, 3, 1), 260), body, units))
        for starts, body, units in sorted(plans, key=lambda plan: plan[0]):  # stable: the same
            self._inspection(starts, body, units)
            yield

    def _inspection(self, starts: date, body: Unit, targets: list[Unit]) -> None:
        rng, key, year, abbr = self.rng, self.docs.key("I"), starts.year, body.place.abbr
        ends = self.day(starts + timedelta(5), 20)
        fed_back, closed = self.day(ends + timedelta(7), 23), self.day(ends + timedelta(60), 60)
        chosen = rng.sample(targets, min(len(targets), rng.choice((1, 1, 2, 2, 3))))
        team = [seat.on(starts) for seat in rng.sample(body.seats, 3)]
        team.append(rng.choice(body.place.units["sfj"].seats).on(starts))  # the inspector pool
        title = f"{year}年度{chosen[0].name}{'等单位' if chosen[1:] else ''}法治政府建设督察"
        create: Line = dict(title=title, year=year, organizer_unit_id=body.key, team=team)
        create |= dict(target_unit_ids=[u.key for u in chosen], topics=d.topics(rng, 2, 4))
        create |= dict(starts_on=str(starts), ends_on=str(ends))
        steps = [dict(op="start", started_on=str(starts))]
        for method in d.EVIDENCE:
            doc, on = self.docs.doc(abbr + "法督材", year), self.day(starts, (ends - starts).days)
            step: Line = dict(op="evidence", method=method, summary=d.SAID[method][0])
            step |= dict(document=doc, sha256=d.digest(doc), unit_id=rng.choice(chosen).key)
            steps.append(step | dict(collected_on=str(on)))
        basis = self.docs.doc(abbr + "法治办", year)
        self.emit("inspection", key, body.name, create=create | dict(basis=basis), steps=steps)
        feedback = self.docs.doc(abbr + "法督", fed_back.year)
        visit = create | dict(key=key, basis=feedback)
        cases: Cases = defaultdict(list)
        for unit in chosen:
            for _ in range(rng.randint(3, 8)):
                self._finding(visit, unit, self.day(starts, (ends - starts).days), fed_back, cases)
        feed = dict(op="feedback", fed_back_on=str(fed_back), summary=d.FEEDBACK, basis=feedback)
        self.cont("inspection", key, feed, dict(op="close", closed_on=str(closed)), actor=body.name)
        for (person, handler), grounds in cases.items():
            self._case(person, handler, grounds)

    def _finding(self, visit: Line, unit: Unit, found: date, fed_back: date, cases: Cases) -> None:
        """A finding and its loop to one of the ends, or (open) to a stage on the way."""
        rng, key, body = self.rng, self.docs.key("F"), self.units[visit["organizer_unit_id"]]
        category = rng.choice(visit["topics"]) if rng.random() < 0.8 else rng.choice(d.CATEGORIES)
        end = rng.choices([*d.ENDS, "open"], [*d.ENDS.values(), d.OPEN[found.year]])[0]
        severity = rng.choices(list(d.SEVERITIES), list(d.SEVERITIES.values()))[0]
        s = Steps(rng, fed_back, self.day(fed_back + timedelta(60), 90))
        direct = rng.choice(unit.seats[-5:]).on(found) if rng.random() < 0.2 else None  # staff
        if direct:
            s.add("attributions", person_id=direct, liability="direct", reason=d.DIRECT)
        if direct and end in ("on_time", "dismissed") and rng.random() < 0.1:
            s.add("withdraw", person_id=direct, reason=d.WITHDRAWN)
        if severity != "high" and rng.random() < 0.01:
            s.add("correct", field="severity", new="high", reason=d.CORRECTED)
        script = d.LOOPS[rng.choice(list(d.LOOPS)[:4]) if end == "open" else end]
        cut = rng.randrange(len(script)) if end == "open" else len(script)  # open: stops on the way
        for op, after, spread, chance in script[:cut]:
            if rng.random() < chance:
                self._step(s, op, s.next(after, spread), unit, body, category)
        text = d.say(rng, rng.choice(d.FINDINGS[category]), found.year)
        create = dict(unit_id=unit.key, inspection_id=visit["key"], category=category)
        create |= dict(severity=severity, description=text, found_on=str(found))
        create |= dict(deadline=str(s.deadline), basis=visit["basis"])
        self.emit("finding", key, body.name, create=create, steps=s.steps)
        if rng.random() < d.CASES.get(end, 0):
            refer = next((step for step in s.steps if step["op"] == "refer"), None)
            handler = self.units[refer["to_unit_id"]] if refer else unit.place.units["zzb"]
            since = date.fromisoformat(refer["referred_on"]) if refer else s.day
            person = direct if direct and rng.random() < 0.4 else unit.seats[0].on(found)
            cases[(person, handler)].append((key, since))

    def _step(self, s: Steps, op: str, on: date, unit: Unit, body: Unit, category: str) -> None:
        """A step of a loop (``LOOPS``): the unit plans and reports, the office does the rest."""
        rng, (name, dated), year = self.rng, d.STEPS[op], on.year
        fields: Line = {dated: str(on)} | ({"outcome": op} if name == "close" else {})
        if op in d.SAID:
            fields[d.SAYS.get(op, "reason")] = d.say(rng, rng.choice(d.SAID[op]), year)
        if op == "plan":
            owner = rng.choice([x for x in unit.seats if x.role == "leader"]).on(on)
            due = max(on, s.deadline - timedelta(rng.randint(0, 10)))
            fields |= dict(measures=d.MEASURES[category], owner_person_id=owner, deadline=str(due))
        elif op == "extend":
            later = s.deadline + timedelta(rng.randint(60, 120))
            fields |= dict(new_deadline=str(later), approver_person_id=body.seats[0].on(on))
        elif op == "refer":
            fields["to_unit_id"] = unit.place.units["jw" if rng.random() < 0.8 else "zzb"].key
        if name in ("rectification-plan", "progress"):  # 整改: the unit's own documents
            basis = self.docs.doc(f"{unit.place.abbr}{unit.abbr}发", year)
            fields |= dict(basis=basis, actor=unit.name)
        if name == "progress":
            fields |= dict(
                complete=op == "done", evidence=[dict(ref=basis, sha256=d.digest(basis))]
            )
        if op in d.ACTS:
            fields["basis"] = self.docs.doc(body.place.abbr + d.ACTS[op], year)
        s.add(name, **fields)

    def _case(self, person: str, handler: Unit, grounds: list[tuple[str, date]]) -> None:
        """An accountability case: sanctions, an appeal upheld or modified, a revocation."""
        rng, key, prefix = self.rng, self.docs.key("C"), handler.place.abbr + handler.abbr
        s = Steps(rng, max(day for _, day in grounds))
        opened, kinds = s.next(5, 25), rng.sample(d.SANCTIONS, rng.choice((1, 1, 1, 1, 1, 2)))
        which = {"sanction_id": f"{key}-1"} if kinds[1:] else {}
        for n, kind in enumerate(kinds, 1):  # each named, as a later step may name it
            basis = self.docs.doc(prefix + "处", s.next(15, 45).year)
            s.add("sanctions", kind=kind, decided_on=str(s.day), basis=basis, key=f"{key}-{n}")
        first = int(key[1:])  # the first three cases take the rarer turns
        if first in (1, 2) or rng.random() < 0.15:
            s.add("appeal", appealed_on=str(s.next(5, 10)), reason=d.APPEALED, **which)
            if first == 1 or (first != 2 and rng.random() < 0.6):
                s.add("uphold", decided_on=str(s.next(15, 30)), **which)
            else:
                kind, day = d.other(rng, d.SANCTIONS, kinds[0]), str(s.next(15, 30))
                s.add("modify", kind=kind, decided_on=day, reason=d.MODIFIED, **which)
        if first == 3 or rng.random() < 0.04:
            s.add("revoke", decided_on=str(s.next(10, 30)), reason=d.REVOKED, **which)
        if rng.random() < 0.92:
            s.add("close", closed_on=str(s.next(5, 25)))
        create = dict(person_id=person, finding_ids=[k for k, _ in grounds[:100]], reason=d.CASE)
        create |= dict(handling_unit_id=handler.key, opened_on=str(opened))
        create["basis"] = self.docs.doc(prefix + "立", opened.year)
        if opened <= LAST:
            self.emit("case", key, handler.name, create=create, steps=s.steps)


Plan = tuple[date, Unit, list[Unit]]  # an inspection: its start, its office, targets
Cases = defaultdict[tuple[str, Unit], list[tuple[str, date]]]  # findings by person and body
