//! Runs a compiled [`Script`]: one case at a time, deterministic for a given random stream.

use std::collections::HashMap;
use std::ops::Range;

use fazhi_domain::{Money, Sex};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::days::{add_workdays, count_workdays, on_or_after, plus_days};
use crate::model::{DemoCase, DemoEvidence, DemoOfficer, DemoStep};
use crate::org::{self, Community, Skeleton};
use crate::people;
use crate::rng::DemoRng;
use crate::script::{
    Actor, AddressKind, Clause, Cond, Filter, Gen, GenKind, Item, ItemKind, Num, Offset, Op,
    Script, Segment, Template, Timing, TimingKind, VarRef,
};

/// What every script of a street sees.
pub(crate) struct World<'a> {
    pub skeleton: &'a Skeleton,
    pub officers: &'a [DemoOfficer],
    pub end: Date,
}

/// A run-time error of a script: the item's byte range and a message.
#[derive(Debug, Clone)]
pub(crate) struct RunError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

type R<T> = Result<T, RunError>;

fn err<T>(message: impl Into<String>) -> R<T> {
    Err(RunError {
        span: None,
        message: message.into(),
    })
}

/// Builds the address text for a community.
fn address(rng: &mut DemoRng, community: &Community, kind: AddressKind) -> String {
    let t = community.template;
    match kind {
        AddressKind::Road => format!("{}{}号", rng.pick(t.roads), rng.range(1, 399)),
        AddressKind::Estate => format!(
            "{}{}幢{}单元",
            rng.pick(t.estates),
            rng.range(1, 32),
            rng.range(1, 4)
        ),
        AddressKind::Crossing => {
            let a = rng.pick(t.roads);
            let b = t.roads.iter().find(|r| *r != a).unwrap_or(a);
            format!("{a}与{b}交叉口")
        }
    }
}

fn date_cn(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty() && s != "false",
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// One case being generated.
pub(crate) struct Run<'a> {
    script: &'a Script,
    world: &'a World<'a>,
    rng: &'a mut DemoRng,
    vars: HashMap<String, Value>,
    created: Date,
    /// Date of the last step (steps are timed from it).
    cursor: Date,
    /// The date `step` means while evaluating (the step's own date inside a step).
    on: Date,
    steps: Vec<DemoStep>,
    depth: usize,
}

/// Generates one case of `script` created on `created` (a workday). `extra` variables are set
/// before the script starts (the `[[once]]` declarations). Steps after `end` are cut off.
pub(crate) fn case(
    script: &Script,
    world: &World<'_>,
    rng: &mut DemoRng,
    reference: String,
    created: Date,
    extra: &[(String, Value)],
) -> R<DemoCase> {
    let community = rng.pick(&world.skeleton.communities);
    let grid = rng.pick(&community.grids).clone();
    let estate = *rng.pick(community.template.estates);
    let road = *rng.pick(community.template.roads);
    let kind = *rng.pick(&script.address);
    let addr = address(rng, community, kind);
    let mut vars = HashMap::new();
    vars.insert("community".to_owned(), json!(community.name));
    vars.insert("estate".to_owned(), json!(estate));
    vars.insert("road".to_owned(), json!(road));
    vars.insert("address".to_owned(), json!(addr));
    vars.insert("grid".to_owned(), json!(grid));
    vars.insert("department".to_owned(), json!(script.department));
    vars.insert("reference".to_owned(), json!(reference));
    vars.insert("created".to_owned(), json!(created.to_string()));
    // The year the case was opened, for document numbers such as （2026）浙0108刑初123号.
    vars.insert("yyyy".to_owned(), json!(format!("{:04}", created.year())));
    for (k, v) in extra {
        vars.insert(k.clone(), v.clone());
    }
    let mut run = Run {
        script,
        world,
        rng,
        vars,
        created,
        cursor: created,
        on: created,
        steps: Vec::with_capacity(12),
        depth: 0,
    };
    run.block("main")?;
    let mut steps = run.steps;
    // Parallel branches (publication beside service …) interleave: keep date order (stable,
    // so same-day steps keep their logical order), then cut at `end`.
    steps.sort_by_key(|s| s.on);
    steps.retain(|s| s.on <= world.end);
    Ok(DemoCase {
        reference,
        case_type: script.case_type.clone(),
        unit: grid,
        department: script.department.clone(),
        created_on: created,
        steps,
    })
}

impl Run<'_> {
    /// Runs `block` for the case the step `transition` (dated `on`) opens: its steps go to
    /// that case, which shares the variables and the cursor (the opening case's next step is
    /// timed after the opened case's last), then are sorted and cut at `end` like a case's.
    fn opened_case(&mut self, transition: &str, block: &str, on: Date) -> R<DemoCase> {
        let Some(case_type) = self.script.opened.get(transition) else {
            return err(format!(
                "step `{transition}` has `opens` but the transition opens no case"
            ));
        };
        let outer = std::mem::take(&mut self.steps);
        let run = self.block(block);
        let mut steps = std::mem::replace(&mut self.steps, outer);
        run?;
        steps.sort_by_key(|s| s.on);
        steps.retain(|s| s.on <= self.world.end);
        let parent = self.vars.get("reference").map(text_of).unwrap_or_default();
        let n = self.steps.iter().map(|s| s.opens.len()).sum::<usize>() + 1;
        Ok(DemoCase {
            reference: format!("{parent}-{n}"),
            case_type: case_type.clone(),
            unit: self.vars.get("grid").map(text_of).unwrap_or_default(),
            department: self.script.department.clone(),
            created_on: on,
            steps,
        })
    }

    fn block(&mut self, name: &str) -> R<()> {
        let script = self.script;
        let Some(items) = script.blocks.get(name) else {
            return err(format!("unknown block `{name}`"));
        };
        self.depth += 1;
        if self.depth > 64 {
            return err(format!(
                "blocks nest deeper than 64 (a block calls itself?) at `{name}`"
            ));
        }
        for item in items {
            self.item(item).map_err(|mut e| {
                if e.span.is_none() {
                    e.span = Some(item.span.clone());
                }
                e
            })?;
        }
        self.depth -= 1;
        Ok(())
    }

    fn item(&mut self, item: &Item) -> R<()> {
        let mut go = match &item.when {
            Some(c) => self.cond(c),
            None => true,
        };
        if go && let Some(p) = item.chance {
            go = self.rng.chance(p);
        }
        match &item.kind {
            ItemKind::Do { block, otherwise } => {
                if go {
                    self.block(block)?;
                } else if let Some(o) = otherwise {
                    self.block(o)?;
                }
            }
            _ if !go => {}
            ItemKind::Wait(t) => {
                self.cursor = self.timing(t, self.cursor)?;
                self.on = self.cursor;
            }
            ItemKind::Set { var, value: g } => {
                let v = self.value(g)?.unwrap_or(Value::Null);
                self.vars.insert(var.clone(), v);
            }
            ItemKind::Choose(choices) => {
                let open: Vec<(&str, u32)> = choices
                    .iter()
                    .filter(|c| c.when.as_ref().is_none_or(|w| self.cond(w)))
                    .map(|c| (c.block.as_str(), c.weight))
                    .filter(|(_, w)| *w > 0)
                    .collect();
                if open.is_empty() {
                    return err("`choose`: no option applies (every `when` is false)");
                }
                let block = *self.rng.weighted(&open);
                self.block(block)?;
            }
            ItemKind::Step(step) => {
                let on = self.timing(&step.after, self.cursor)?;
                if step.cursor {
                    self.cursor = on;
                }
                self.on = on;
                self.vars.insert("on".to_owned(), json!(on.to_string()));
                let actor = self.actor(&step.actor)?;
                let mut input = Map::new();
                for (field, g) in &step.input {
                    if let Some(v) = self.value(g)? {
                        input.insert(field.clone(), v);
                    }
                }
                let evidence = match &step.evidence {
                    None => None,
                    Some([kind, title, content]) => Some(DemoEvidence {
                        kind: self.gen_text(kind)?,
                        title: self.gen_text(title)?,
                        content: self.gen_text(content)?,
                    }),
                };
                if let Some(save) = &step.save {
                    self.vars.insert(save.clone(), json!(on.to_string()));
                }
                self.steps.push(DemoStep {
                    on,
                    transition: step.transition.clone(),
                    actor,
                    input,
                    evidence,
                    opens: Vec::new(),
                });
                if let Some(block) = &step.opens {
                    let opened = self.opened_case(&step.transition, block, on)?;
                    if let Some(last) = self.steps.last_mut() {
                        last.opens.push(opened);
                    }
                }
                self.on = self.cursor;
            }
        }
        Ok(())
    }

    // -- variables and templates ---------------------------------------------------------

    fn lookup(&self, path: &[String]) -> Option<Value> {
        let (head, rest) = path.split_first()?;
        if head == "on" {
            return rest.is_empty().then(|| json!(self.on.to_string()));
        }
        let mut v = self.vars.get(head)?;
        for seg in rest {
            v = match v {
                Value::Object(m) => m.get(seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(v.clone())
    }

    fn filter(&self, v: &Value, f: Filter) -> R<String> {
        let s = text_of(v);
        Ok(match f {
            Filter::CnDate => match s.parse::<Date>() {
                Ok(d) => date_cn(d),
                Err(_) => return err(format!("`|cn`: `{s}` is not a date")),
            },
            Filter::Name => self
                .world
                .skeleton
                .users
                .iter()
                .find(|u| u.login == s)
                .map_or(s.clone(), |u| u.display_name.clone()),
            Filter::Dept => org::DEPARTMENTS
                .iter()
                .find(|(c, _)| *c == s)
                .map_or_else(|| "相关部门".to_owned(), |(_, n)| (*n).to_owned()),
        })
    }

    /// The value of one placeholder; `None` when an optional one is missing.
    fn var(&self, r: &VarRef, depth: usize) -> R<Option<Value>> {
        let Some(v) = self.lookup(&r.path) else {
            if r.optional {
                return Ok(None);
            }
            return err(format!("variable `{}` is not set", r.path.join(".")));
        };
        if let Some(f) = r.filter {
            return Ok(Some(Value::String(self.filter(&v, f)?)));
        }
        Ok(Some(match v {
            Value::String(s) => Value::String(self.expand(&s, depth + 1)?),
            other => other,
        }))
    }

    /// Fills the placeholders of a string taken from a variable or a list (nested templates).
    fn expand(&self, s: &str, depth: usize) -> R<String> {
        if !s.contains('{') || depth > 4 {
            return Ok(s.to_owned());
        }
        let t = crate::script::template(s);
        Ok(text_of(&self.template(&t, depth)?.unwrap_or(Value::Null)))
    }

    fn template(&self, t: &Template, depth: usize) -> R<Option<Value>> {
        if let Some(r) = t.exact() {
            return self.var(r, depth);
        }
        let mut out = String::new();
        for seg in &t.0 {
            match seg {
                Segment::Text(s) => out.push_str(s),
                Segment::Special(s) => {
                    out.push('{');
                    out.push_str(s);
                    out.push('}');
                }
                Segment::Var(r) => {
                    if let Some(v) = self.var(r, depth)? {
                        out.push_str(&text_of(&v));
                    }
                }
            }
        }
        Ok(Some(Value::String(out)))
    }

    fn text(&self, t: &Template) -> R<String> {
        Ok(text_of(&self.template(t, 0)?.unwrap_or(Value::Null)))
    }

    fn cond(&self, c: &Cond) -> bool {
        c.0.iter().all(|cl| self.clause(cl))
    }

    fn clause(&self, c: &Clause) -> bool {
        let v = self.lookup(&c.path).unwrap_or(Value::Null);
        match c.op {
            Op::Truthy => truthy(&v),
            Op::Falsy => !truthy(&v),
            Op::Eq => text_of(&v) == c.value,
            Op::Ne => text_of(&v) != c.value,
            op => {
                let (Some(a), Ok(b)) = (number(&v), c.value.parse::<f64>()) else {
                    return false;
                };
                match op {
                    Op::Lt => a < b,
                    Op::Le => a <= b,
                    Op::Gt => a > b,
                    _ => a >= b,
                }
            }
        }
    }

    fn num(&self, n: &Num) -> R<i64> {
        match n {
            Num::Lit(x) => Ok(*x),
            Num::Var(t) => {
                let v = self.template(t, 0)?.unwrap_or(Value::Null);
                match number(&v) {
                    Some(x) => Ok(x.round() as i64),
                    None => err(format!("`{v}` is not a number")),
                }
            }
        }
    }

    fn date_var(&self, name: &str) -> R<Date> {
        match name {
            "step" | "on" => return Ok(self.on),
            "created" => return Ok(self.created),
            _ => {}
        }
        let Some(v) = self.vars.get(name) else {
            return err(format!("date variable `{name}` is not set"));
        };
        match v.as_str().and_then(|s| s.parse::<Date>().ok()) {
            Some(d) => Ok(d),
            None => err(format!("variable `{name}` is not a date: {v}")),
        }
    }

    // -- generators ----------------------------------------------------------------------

    fn gen_text(&mut self, g: &Gen) -> R<String> {
        Ok(text_of(&self.value(g)?.unwrap_or(Value::Null)))
    }

    fn value(&mut self, g: &Gen) -> R<Option<Value>> {
        if let Some(w) = &g.when
            && !self.cond(w)
        {
            return Ok(None);
        }
        Ok(Some(match &g.kind {
            GenKind::Lit(v) => v.clone(),
            GenKind::Text(t) => return self.template(t, 0),
            GenKind::Pick {
                list,
                inline,
                filter,
                weight,
            } => {
                let script = self.script;
                let items: &[Value] = match list {
                    Some(name) => script.lists.get(name).map_or(&[], Vec::as_slice),
                    None => inline,
                };
                let mut wanted = Vec::with_capacity(filter.len());
                for (field, t) in filter {
                    wanted.push((field.as_str(), self.text(t)?));
                }
                let candidates: Vec<(&Value, u32)> = items
                    .iter()
                    .filter(|v| {
                        wanted
                            .iter()
                            .all(|(f, want)| v.get(*f).map(text_of).as_deref() == Some(want))
                    })
                    .map(|v| {
                        let w = weight.as_ref().map_or(1, |f| {
                            v.get(f)
                                .and_then(Value::as_u64)
                                .and_then(|w| u32::try_from(w).ok())
                                .unwrap_or(0)
                        });
                        (v, w)
                    })
                    .filter(|(_, w)| *w > 0)
                    .collect();
                if candidates.is_empty() {
                    return err(format!(
                        "pick: no item of {} matches {:?}",
                        list.as_deref().unwrap_or("the inline list"),
                        wanted
                    ));
                }
                let v = *self.rng.weighted(&candidates);
                match v {
                    Value::String(s) => Value::String(self.expand(s, 0)?),
                    other => other.clone(),
                }
            }
            GenKind::Weights(w) => Value::String(self.rng.weighted(w).clone()),
            GenKind::Int { lo, hi, step } => {
                let (lo, hi) = (self.num(lo)? / step, self.num(hi)? / step);
                let x = if hi <= lo { lo } else { self.rng.range(lo, hi) };
                json!(x * step)
            }
            GenKind::Money(n) => {
                let yuan = self.num(n)?;
                match yuan.checked_mul(100).and_then(|f| Money::from_fen(f).ok()) {
                    Some(m) => Value::String(m.yuan_string()),
                    None => return err(format!("money: {yuan} 元 is out of range")),
                }
            }
            GenKind::Date { base, offset } => {
                let b = self.date_var(base)?;
                let d = match offset {
                    Offset::None => b,
                    Offset::Workdays(a, z) => {
                        let n = self.between(a, z)?;
                        add_workdays(b, u32::try_from(n.max(0)).unwrap_or(0))
                    }
                    Offset::Days(a, z) => {
                        let n = self.between(a, z)?;
                        plus_days(b, n)
                    }
                };
                Value::String(d.to_string())
            }
            GenKind::Officers { n, domain, days } => {
                let domain = self.text(domain)?;
                let from = self.on;
                let to = plus_days(from, *days).min(self.world.end).max(from);
                let mut pool: Vec<&str> = self
                    .world
                    .officers
                    .iter()
                    .filter(|o| {
                        o.certificates
                            .iter()
                            .any(|c| c.domain == domain && c.valid_on(from) && c.valid_on(to))
                    })
                    .map(|o| o.login.as_str())
                    .collect();
                if pool.len() < *n {
                    return err(format!(
                        "officers: only {} officers hold a {domain} certificate valid from {from} to {to}, {n} needed",
                        pool.len()
                    ));
                }
                let mut team = Vec::with_capacity(*n);
                for _ in 0..*n {
                    let i = self.rng.index(pool.len());
                    team.push(Value::String(pool.remove(i).to_owned()));
                }
                Value::Array(team)
            }
            GenKind::Person => {
                let p = people::person(self.rng, self.world.end);
                json!({ "name": p.name, "id_number": p.id_number, "mobile": p.mobile })
            }
            GenKind::Name { courtesy } => {
                let sex = if self.rng.chance(0.5) {
                    Sex::Male
                } else {
                    Sex::Female
                };
                let name = if *courtesy > 0.0 && self.rng.chance(*courtesy) {
                    people::courtesy_name(self.rng, sex)
                } else {
                    people::name(self.rng, sex)
                };
                Value::String(name)
            }
            GenKind::Phone { mobile } => Value::String(if self.rng.chance(*mobile) {
                people::mobile(self.rng)
            } else {
                people::landline(self.rng)
            }),
            GenKind::Uscc { individual } => {
                let ind = truthy(&Value::String(self.text(individual)?));
                Value::String(people::uscc(self.rng, ind))
            }
            GenKind::Organisation {
                business,
                individual,
            } => {
                let b = self.text(business)?;
                let ind = truthy(&Value::String(self.text(individual)?));
                Value::String(people::organisation_name(self.rng, &b, ind))
            }
            GenKind::Lookup {
                table,
                key,
                default,
            } => {
                let k = self.text(key)?;
                match table.get(&k).or(default.as_ref()) {
                    Some(Value::String(s)) => Value::String(self.expand(s, 0)?),
                    Some(v) => v.clone(),
                    None => return err(format!("lookup: no entry for `{k}` and no default")),
                }
            }
            GenKind::Chance(p) => Value::Bool(self.rng.chance(*p)),
            GenKind::User(a) => Value::String(self.actor(a)?),
        }))
    }

    fn between(&mut self, a: &Num, z: &Num) -> R<i64> {
        let (a, z) = (self.num(a)?, self.num(z)?);
        Ok(if z <= a { a } else { self.rng.range(a, z) })
    }

    fn actor(&mut self, a: &Actor) -> R<String> {
        match a {
            Actor::Login(t) => self.text(t),
            Actor::OneOf(options) => {
                let i = {
                    let idx: Vec<(usize, u32)> = options
                        .iter()
                        .enumerate()
                        .map(|(i, (w, _))| (i, *w))
                        .collect();
                    *self.rng.weighted(&idx)
                };
                self.actor(&options[i].1)
            }
            Actor::Role { role, department } => {
                let dept = match department {
                    Some(t) => self.text(t)?,
                    None => self.script.department.clone(),
                };
                let users = &self.world.skeleton.users;
                let with_role = |u: &&crate::model::DemoUser| u.role.code() == role;
                let mut candidates: Vec<&str> = users
                    .iter()
                    .filter(with_role)
                    .filter(|u| u.department.as_deref() == Some(dept.as_str()))
                    .map(|u| u.login.as_str())
                    .collect();
                if candidates.is_empty() {
                    candidates = users
                        .iter()
                        .filter(with_role)
                        .filter(|u| u.department.is_some())
                        .map(|u| u.login.as_str())
                        .collect();
                }
                if candidates.is_empty() {
                    return err(format!("no demo user holds the role `{role}`"));
                }
                let i = if candidates.len() == 1 {
                    0
                } else {
                    self.rng.index(candidates.len())
                };
                Ok(candidates[i].to_owned())
            }
        }
    }

    fn timing(&mut self, t: &Timing, default_base: Date) -> R<Date> {
        let base = if t.from.is_empty() {
            default_base
        } else {
            let mut b: Option<Date> = None;
            for name in &t.from {
                let d = if name == "step" {
                    self.cursor
                } else {
                    self.date_var(name)?
                };
                b = Some(b.map_or(d, |x: Date| x.max(d)));
            }
            b.unwrap_or(default_base)
        };
        let mut d = match &t.kind {
            TimingKind::Workdays(a, z) => {
                let n = self.between(a, z)?;
                add_workdays(base, u32::try_from(n.max(0)).unwrap_or(0))
            }
            TimingKind::Days(a, z) => {
                let n = self.between(a, z)?;
                on_or_after(plus_days(base, n))
            }
            TimingKind::Within(var) => {
                let deadline = self.date_var(var)?;
                if base >= deadline {
                    on_or_after(base)
                } else {
                    let span = count_workdays(base, deadline).saturating_sub(1);
                    // Quick ones are more common than last-day ones.
                    let offset = self.rng.range_u32(0, span).min(self.rng.range_u32(0, span));
                    add_workdays(base, offset)
                }
            }
            TimingKind::At(var) => on_or_after(self.date_var(var)?),
            TimingKind::OneOf(options) => {
                let idx: Vec<(usize, u32)> = options
                    .iter()
                    .enumerate()
                    .map(|(i, (w, _))| (i, *w))
                    .collect();
                let i = *self.rng.weighted(&idx);
                self.timing(&options[i].1, base)?
            }
        };
        if let Some(cap) = &t.cap {
            d = d.min(self.date_var(cap)?).max(on_or_after(base));
        }
        Ok(d)
    }
}
