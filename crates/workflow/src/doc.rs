//! `docs/case-types.md`, generated from the definitions: roles, and per case type its fields,
//! states, transitions (roles, inputs, guards with statute and article), clocks (length, basis,
//! what starts, stops, pauses and extends them); then the guard catalogue.

use std::fmt::Write;

use crate::guards::{COMMON_PARAMS, GUARDS, GuardInfo};
use crate::load::Registry;
use crate::model::{CaseType, ClockKind, ClockLength, FieldDef, GuardSpec, ROLES, STAY};

/// The hand-written preamble of `docs/case-types.md`.
pub const DOC_PREAMBLE: &str = include_str!("../../../docs/case-types.intro.md");

/// The whole of `docs/case-types.md` for the case types of a registry.
pub fn case_types_markdown(registry: &Registry) -> String {
    let mut out = String::new();
    out.push_str(DOC_PREAMBLE.trim_end());
    out.push_str("\n\n## Roles\n\n| code | 中文 |\n| --- | --- |\n");
    for (code, zh) in ROLES {
        let _ = writeln!(out, "| `{code}` | {zh} |");
    }
    for ct in registry.types() {
        out.push('\n');
        case_type(&mut out, ct);
    }
    out.push_str("\n## Guard kinds\n\n");
    out.push_str(
        "Every guard kind a definition may name (`crates/workflow/src/guards/`). Each also takes \
         `statute` and `article` (its legal basis, overriding the default) and `code` (replacing \
         its first refusal code).\n\n",
    );
    out.push_str("| guard | 说明 | default basis | parameters (* required) | refusal codes |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for g in GUARDS {
        guard_row(&mut out, g);
    }
    debug_assert!(COMMON_PARAMS.iter().all(|p| !p.required));
    out
}

fn guard_row(out: &mut String, g: &GuardInfo) {
    let basis = match (g.statute, g.article) {
        (Some(s), Some(a)) => format!("{s}{a}"),
        (Some(s), None) => s.to_owned(),
        _ => "— (cited by the definition)".to_owned(),
    };
    let params: Vec<String> = g
        .params
        .iter()
        .map(|p| format!("`{}`{}", p.name, if p.required { "*" } else { "" }))
        .collect();
    let codes: Vec<String> = g.codes.iter().map(|c| format!("`{c}`")).collect();
    let _ = writeln!(
        out,
        "| `{}` | {} | {basis} | {} | {} |",
        g.name,
        g.description_zh,
        if params.is_empty() {
            "—".to_owned()
        } else {
            params.join(", ")
        },
        codes.join(", ")
    );
}

fn field_line(ct: &CaseType, f: &FieldDef) -> String {
    let mut kind = f.kind.code().to_owned();
    if let Some(d) = &f.dictionary {
        let values: Vec<String> = ct
            .dictionary(d)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                if e.value == e.label_zh {
                    e.value.clone()
                } else {
                    format!("`{}` {}", e.value, e.label_zh)
                }
            })
            .collect();
        let _ = write!(kind, " `{d}` ({})", values.join("/"));
    }
    let mut notes = Vec::new();
    if f.required {
        notes.push("required".to_owned());
    }
    if f.personal {
        notes.push("personal".to_owned());
    }
    if f.input_only {
        notes.push("input only".to_owned());
    }
    if f.restricted() {
        notes.push(format!("visible only to {}", f.visible_to.join(", ")));
    }
    match (f.min, f.max) {
        (Some(a), Some(b)) => notes.push(format!("{a}–{b}")),
        (Some(a), None) => notes.push(format!("≥ {a}")),
        (None, Some(b)) => notes.push(format!("≤ {b}")),
        (None, None) => {}
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    format!("- `{}`: {kind} — {}{notes}", f.code, f.label_zh)
}

fn guard_text(g: &GuardSpec) -> String {
    let mut params: Vec<String> = g
        .params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "statute" | "article" | "code"))
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    if let Some(c) = &g.code {
        params.push(format!("code={c}"));
    }
    let basis = format!(
        "{}{}",
        g.statute.as_deref().unwrap_or(""),
        g.article.as_deref().unwrap_or("")
    );
    let mut s = format!("`{}`", g.name);
    if !params.is_empty() {
        let _ = write!(s, "{{{}}}", params.join(", "));
    }
    if !basis.is_empty() {
        let _ = write!(s, " — {basis}");
    }
    s
}

fn case_type(out: &mut String, ct: &CaseType) {
    let _ = write!(out, "## `{}` ({})", ct.code, ct.name_zh);
    if let Some(s) = &ct.statute {
        let _ = write!(out, " — {s}");
    }
    let _ = writeln!(
        out,
        "\n\nVersion `{}`; definition `case_types/{}/case_type.toml`.\n",
        ct.version.declared, ct.code
    );
    out.push_str("Fields (`code`: kind — label):\n\n");
    for f in &ct.fields {
        out.push_str(&field_line(ct, f));
        out.push('\n');
    }
    out.push_str("\nStates: ");
    let states: Vec<String> = ct
        .states
        .iter()
        .map(|s| {
            format!(
                "`{}` {}{}",
                s.code,
                s.label_zh,
                if s.terminal { " (terminal)" } else { "" }
            )
        })
        .collect();
    out.push_str(&states.join(", "));
    out.push_str(".\n\n| transition | from → to | roles | inputs (* required) | guards (statute, article) |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for t in &ct.transitions {
        let from = if t.from.is_empty() {
            "∅".to_owned()
        } else {
            t.from.join("/")
        };
        let to = if t.to == STAY { "same" } else { &t.to };
        let inputs: Vec<String> = t
            .inputs
            .iter()
            .map(|i| format!("{}{}", i.field, if i.required { "*" } else { "" }))
            .collect();
        let guards: Vec<String> = t.guards.iter().map(guard_text).collect();
        let mut notes = guards;
        if !t.sets.is_empty() {
            notes.push(format!(
                "sets {}",
                serde_json::Value::Object(t.sets.clone())
            ));
        }
        match t.published {
            Some(true) => notes.push("publishes".to_owned()),
            Some(false) => notes.push("withdraws the publication".to_owned()),
            None => {}
        }
        let _ = writeln!(
            out,
            "| `{}` {} | {from} → {to} | {} | {} | {} |",
            t.code,
            t.label_zh,
            t.roles.join(", "),
            if inputs.is_empty() {
                "—".to_owned()
            } else {
                inputs.join(", ")
            },
            if notes.is_empty() {
                "—".to_owned()
            } else {
                notes.join("; ")
            }
        );
    }
    if ct.clocks.is_empty() {
        return;
    }
    out.push_str("\nClocks:\n\n| clock | kind | start | stop | length | legal basis |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for c in &ct.clocks {
        let mut start = c.start.join("/");
        if let Some(f) = &c.start_field {
            let _ = write!(start, " (from the date in `{f}`)");
        }
        if !c.restart.is_empty() {
            let _ = write!(start, "; restarts at {}", c.restart.join("/"));
            if let Some(f) = &c.restart_field {
                let _ = write!(start, " (from the date in `{f}`)");
            }
        }
        if let Some(p) = &c.requires_prior {
            let _ = write!(start, "; only after {p}");
            if let Some(u) = &c.undone_by {
                let _ = write!(start, " (undone by {u})");
            }
        }
        let mut length = match &c.length {
            ClockLength::Fixed { n, unit } => format!("{n} {}", unit.code().replace('_', " ")),
            ClockLength::Table { table, key_field } => match key_field {
                Some(k) => format!("table `{table}` by `{k}`"),
                None => format!("table `{table}`"),
            },
            ClockLength::UntilField { field } => format!("until the date in `{field}`"),
        };
        if let Some(e) = &c.extension {
            let by = match (&e.days, &e.days_field) {
                (Some(d), _) => d.to_string(),
                (None, Some(f)) => format!("`{f}`"),
                _ => String::new(),
            };
            let _ = write!(length, "; +{by} at {}", e.on);
            if let Some(m) = e.max_total {
                let _ = write!(length, " (at most {m} in total)");
            }
            if let Some(n) = &e.notice_field {
                let _ = write!(length, " with the notice in `{n}`");
            }
        }
        for p in &c.pauses {
            let _ = write!(length, "; paused {} → {} ({})", p.from, p.to, p.reason_zh);
            if let Some(m) = p.max {
                let _ = write!(length, " at most {m}");
            }
        }
        if let Some(f) = &c.only_if_field {
            if c.only_if_values.is_empty() {
                let _ = write!(length, "; only when `{f}` is set");
            } else {
                let _ = write!(
                    length,
                    "; only when `{f}` is {}",
                    c.only_if_values.join(" / ")
                );
            }
        }
        let kind = match c.kind {
            ClockKind::Deadline => "deadline",
            ClockKind::Window => "window",
        };
        let _ = writeln!(
            out,
            "| `{}` {} | {kind} | {start} | {} | {length} | {} |",
            c.code,
            c.label_zh,
            if c.stop.is_empty() {
                "—".to_owned()
            } else {
                c.stop.join("/")
            },
            c.basis
        );
    }
}
