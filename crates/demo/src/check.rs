//! Checks a compiled demo script against its case type's definition: transitions exist, the
//! actor's role may take them, inputs are fields of the transition (required ones present),
//! dictionary values exist, departments exist, the script starts with a create step.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use fazhi_workflow::{CaseType, Diagnostic, Registry};
use serde_json::Value;

use crate::org;
use crate::script::{Actor, Diags, Gen, GenKind, Item, ItemKind, Script};

/// Span of the first line that starts with `key` (for top-level keys).
fn key_span(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(key) {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

/// Literal string values a generator may produce (for dictionary checks); `vars` holds the
/// literal values assigned to each variable anywhere in the script.
fn literals(g: &Gen, script: &Script, vars: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    match &g.kind {
        GenKind::Text(t) => {
            if let Some(l) = t.literal() {
                vec![l.to_owned()]
            } else if let Some(r) = t.exact() {
                if r.path.len() == 1 && r.filter.is_none() {
                    vars.get(&r.path[0])
                        .map(|s| s.iter().cloned().collect())
                        .unwrap_or_default()
                } else {
                    Vec::new()
                }
            } else {
                Vec::new()
            }
        }
        GenKind::Weights(w) => w.iter().map(|(k, _)| k.clone()).collect(),
        GenKind::Pick {
            list,
            inline,
            filter,
            ..
        } if filter.is_empty() => {
            let items = match list {
                Some(name) => script.lists.get(name).cloned().unwrap_or_default(),
                None => inline.clone(),
            };
            items
                .iter()
                .filter_map(|v| v.as_str().filter(|s| !s.contains('{')).map(str::to_owned))
                .collect()
        }
        GenKind::Lookup { table, default, .. } => table
            .values()
            .chain(default.iter())
            .filter_map(|v| v.as_str().filter(|s| !s.contains('{')).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn roles(a: &Actor, out: &mut Vec<String>) {
    match a {
        Actor::Role { role, .. } => out.push(role.clone()),
        Actor::OneOf(o) => o.iter().for_each(|(_, a)| roles(a, out)),
        Actor::Login(_) => {}
    }
}

fn departments(a: &Actor, out: &mut Vec<String>) {
    match a {
        Actor::Role {
            department: Some(t),
            ..
        } => {
            if let Some(l) = t.literal() {
                out.push(l.to_owned());
            }
        }
        Actor::OneOf(o) => o.iter().for_each(|(_, a)| departments(a, out)),
        _ => {}
    }
}

/// Whether an item is or leads to a step (through the blocks it calls).
fn calls_steps(script: &Script, it: &Item) -> bool {
    fn block(script: &Script, name: &str, seen: &mut BTreeSet<String>) -> bool {
        if !seen.insert(name.to_owned()) {
            return false;
        }
        script
            .blocks
            .get(name)
            .is_some_and(|items| items.iter().any(|i| item(script, i, seen)))
    }
    fn item(script: &Script, i: &Item, seen: &mut BTreeSet<String>) -> bool {
        match &i.kind {
            ItemKind::Step(_) => true,
            ItemKind::Set { .. } | ItemKind::Wait(_) => false,
            ItemKind::Do {
                block: b,
                otherwise,
            } => {
                block(script, b, seen) || otherwise.as_ref().is_some_and(|o| block(script, o, seen))
            }
            ItemKind::Choose(c) => c.iter().any(|c| block(script, &c.block, seen)),
        }
    }
    item(script, it, &mut BTreeSet::new())
}

fn all_items(script: &Script) -> impl Iterator<Item = (&str, &Item)> {
    script
        .blocks
        .iter()
        .flat_map(|(name, items)| items.iter().map(move |i| (name.as_str(), i)))
}

/// The case type each block's steps apply to: `main` and the blocks it calls run in `ct`; a
/// block named by a step's `opens` (and the blocks it calls) runs in the case type that step's
/// transition opens. Problems (a step whose transition opens no case, or opens several; a block
/// used for two case types) are reported on the step.
fn block_types<'a>(
    script: &Script,
    ct: &'a CaseType,
    registry: &'a Registry,
    d: &mut Diags<'_>,
) -> BTreeMap<String, &'a CaseType> {
    let mut out: BTreeMap<String, &'a CaseType> = BTreeMap::new();
    let mut queue: Vec<(String, &'a CaseType)> = vec![("main".to_owned(), ct)];
    // Bounded: each block is entered at most once.
    while let Some((name, t)) = queue.pop() {
        if let Some(seen) = out.get(&name) {
            if seen.code != t.code {
                d.error(
                    None,
                    format!(
                        "block `{name}` is run for case type `{}` and for `{}`",
                        seen.code, t.code
                    ),
                    format!("步骤块“{name}”同时用于两种案件类型"),
                );
            }
            continue;
        }
        out.insert(name.clone(), t);
        for item in script.blocks.get(&name).into_iter().flatten() {
            match &item.kind {
                ItemKind::Do { block, otherwise } => {
                    queue.push((block.clone(), t));
                    if let Some(o) = otherwise {
                        queue.push((o.clone(), t));
                    }
                }
                ItemKind::Choose(c) => queue.extend(c.iter().map(|c| (c.block.clone(), t))),
                ItemKind::Step(step) => {
                    let Some(block) = &step.opens else { continue };
                    let opened: Vec<_> = t.capabilities.opened_by(&step.transition).collect();
                    let target = match opened.as_slice() {
                        [one] => registry.get(&one.case_type),
                        _ => None,
                    };
                    match target {
                        Some(target) => queue.push((block.clone(), target)),
                        None => d.error(
                            Some(item.span.clone()),
                            format!(
                                "step `{}` has `opens = \"{block}\"` but its transition does not open exactly one case of a known type",
                                step.transition
                            ),
                            format!(
                                "步骤“{}”声明了 opens，但该办理环节并不开启（唯一的）关联案件",
                                step.transition
                            ),
                        ),
                    }
                }
                ItemKind::Set { .. } | ItemKind::Wait(_) => {}
            }
        }
    }
    out
}

/// Checks `script` against `ct` (and the case types its steps open, from `registry`);
/// diagnostics name `d`'s file and the item's line.
pub(crate) fn against_definition(
    script: &Script,
    ct: &CaseType,
    registry: &Registry,
    d: &mut Diags<'_>,
) {
    let types = block_types(script, ct, registry, d);
    let text = d.text;
    if !org::DEPARTMENTS
        .iter()
        .any(|(c, _)| *c == script.department)
    {
        d.error(
            key_span(text, "department"),
            format!(
                "unknown department `{}` (the demo street has: {})",
                script.department,
                org::DEPARTMENTS
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("演示街道没有部门“{}”", script.department),
        );
    }
    for (name, items) in &script.lists {
        if items.is_empty() {
            d.error(
                key_span(text, &format!("[[lists.{name}]]")).or(key_span(text, name)),
                format!("list `{name}` is empty"),
                format!("列表“{name}”为空"),
            );
        }
    }

    // Literal values each variable may take.
    let mut vars: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for _ in 0..2 {
        for (_, item) in all_items(script) {
            if let ItemKind::Set { var, value: g } = &item.kind {
                let vals = literals(g, script, &vars);
                vars.entry(var.clone()).or_default().extend(vals);
            }
        }
    }
    for o in &script.once {
        for (k, v) in &o.set {
            if let Value::String(s) = v {
                vars.entry(k.clone()).or_default().insert(s.clone());
            }
        }
    }

    // The first step of `main` (after the variables it draws) creates the case; or main opens
    // with an unconditional `choose` among blocks that each open so (a type with several create
    // transitions, e.g. a service logged and a legal-aid application forwarded).
    let first_of = |name: &str| {
        script.blocks.get(name).and_then(|m| {
            m.iter().find(|i| {
                !matches!(
                    &i.kind,
                    ItemKind::Set { .. } | ItemKind::Do { .. } | ItemKind::Choose(_)
                ) || calls_steps(script, i)
            })
        })
    };
    let creates = |i: Option<&Item>| {
        matches!(i, Some(Item {
            kind: ItemKind::Step(s),
            when: None,
            chance: None,
            ..
        }) if ct.transition(&s.transition).is_some_and(|t| t.from.is_empty()))
    };
    let first = first_of("main");
    match first {
        Some(Item {
            kind: ItemKind::Choose(options),
            when: None,
            chance: None,
            ..
        }) if !options.is_empty()
            && options
                .iter()
                .all(|o| o.when.is_none() && o.block != "main" && creates(first_of(&o.block))) => {}
        Some(i) if creates(Some(i)) => {}
        Some(first) => d.error(
            Some(first.span.clone()),
            format!(
                "the first step of [[block.main]] (after items that only draw variables) must be an unconditional step of a create transition ({})",
                ct.create_transitions()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "[[block.main]] 的第一个步骤必须是无条件的新建案件步骤",
        ),
        None => {}
    }

    let main_type = ct;
    for (block, item) in all_items(script) {
        let sp = Some(item.span.clone());
        let ItemKind::Step(step) = &item.kind else {
            continue;
        };
        let ct = types.get(block).copied().unwrap_or(main_type);
        let Some(t) = ct.transition(&step.transition) else {
            d.error(
                sp,
                format!(
                    "case type `{}` has no transition `{}`",
                    ct.code, step.transition
                ),
                format!("案件类型“{}”没有办理环节“{}”", ct.name_zh, step.transition),
            );
            continue;
        };
        let mut rs = Vec::new();
        roles(&step.actor, &mut rs);
        for r in rs {
            if !t.roles.contains(&r) {
                d.error(
                    sp.clone(),
                    format!(
                        "role `{r}` may not take `{}` (allowed: {})",
                        t.code,
                        t.roles.join(", ")
                    ),
                    format!(
                        "角色“{}”无权办理“{}”",
                        fazhi_workflow::role_label_zh(&r),
                        t.label_zh
                    ),
                );
            }
        }
        let mut ds = Vec::new();
        departments(&step.actor, &mut ds);
        for dep in ds {
            if !org::DEPARTMENTS.iter().any(|(c, _)| *c == dep) {
                d.error(
                    sp.clone(),
                    format!("actor: unknown department `{dep}`"),
                    format!("办理人部门“{dep}”不存在"),
                );
            }
        }
        for (field, g) in &step.input {
            if !t.inputs.iter().any(|i| &i.field == field) {
                d.error(
                    sp.clone(),
                    format!(
                        "`{field}` is not an input of `{}` (inputs: {})",
                        t.code,
                        t.inputs
                            .iter()
                            .map(|i| i.field.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!("“{field}”不是“{}”的录入项", t.label_zh),
                );
                continue;
            }
            let Some(f) = ct.field(field) else { continue };
            let Some(dict) = f.dictionary.as_deref().and_then(|n| ct.dictionary(n)) else {
                continue;
            };
            for value in literals(g, script, &vars) {
                if !dict.iter().any(|e| e.value == value) {
                    d.error(
                        sp.clone(),
                        format!(
                            "`{value}` is not a value of the dictionary of `{field}` ({})",
                            dict.iter()
                                .map(|e| e.value.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        format!("“{value}”不是“{}”字典中的取值", f.label_zh),
                    );
                }
            }
        }
        for i in t.inputs.iter().filter(|i| i.required) {
            if !step.input.iter().any(|(k, _)| k == &i.field) {
                d.error(
                    sp.clone(),
                    format!("step `{}` lacks the required input `{}`", t.code, i.field),
                    format!(
                        "步骤“{}”缺少必填项“{}”",
                        t.label_zh,
                        ct.field_label(&i.field)
                    ),
                );
            }
        }
        let opens_a_choice = match first {
            Some(Item {
                kind: ItemKind::Choose(options),
                ..
            }) => options
                .iter()
                .any(|o| first_of(&o.block).is_some_and(|f| std::ptr::eq(f, item))),
            _ => false,
        };
        if t.from.is_empty() && !first.is_some_and(|f| std::ptr::eq(f, item)) && !opens_a_choice {
            d.error(
                sp.clone(),
                format!(
                    "`{}` creates a case; only the first step of [[block.main]] may",
                    t.code
                ),
                format!(
                    "“{}”会新建案件，只有 [[block.main]] 的第一个步骤可以如此",
                    t.label_zh
                ),
            );
        }
    }

    for n in &script.numbering {
        let sp = key_span(text, "[[numbering]]");
        if ct.field(&n.field).is_none() {
            d.error(
                sp.clone(),
                format!("numbering: `{}` is not a field of `{}`", n.field, ct.code),
                format!("编号字段“{}”不存在", n.field),
            );
        }
        for r in &n.rules {
            if let Some(tr) = &r.transition
                && ct.transition(tr).is_none()
            {
                d.error(
                    sp.clone(),
                    format!("numbering: unknown transition `{tr}`"),
                    format!("编号规则引用了不存在的办理环节“{tr}”"),
                );
            }
            if !r.format.contains("{n}") {
                d.error(
                    sp.clone(),
                    format!("numbering: format `{}` lacks {{n}}", r.format),
                    format!("编号格式“{}”缺少 {{n}}", r.format),
                );
            }
        }
    }
}

/// Whether a diagnostic list holds an error.
pub(crate) fn has_error(d: &[Diagnostic]) -> bool {
    d.iter().any(Diagnostic::is_error)
}
