//! Publication as a declared capability: the public body of a case is built from the case type's
//! `[capabilities.publication]` items, each redacted as declared (《行政处罚法》第四十八条;
//! personal information protection): a natural person's name masked, items left out, personal data
//! redacted in free text.

use fazhi_domain::{Uscc, mask_id_number, mask_name, mask_phone};
use fazhi_store::EventRow;
use fazhi_workflow::presentation::{PUBLICATION_DATE_OF, fill_template};
use fazhi_workflow::{CaseType, PublicationCapability};
use serde_json::{Map, Value};

use crate::cases::display_value;

/// Redacts personal data in free text: identity numbers (15 or 18 characters), mobile and
/// landline phone numbers, bank card numbers (16 to 19 digits), unified social credit codes of
/// individuals (个体工商户, management code `92`), and every given name (each masked as a name)
/// wherever it occurs.
pub fn redact_text(text: &str, names: &[&str]) -> String {
    let mut s = text.to_owned();
    // Longest names first, so that a name containing another is masked whole.
    let mut names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| n.chars().count() >= 2)
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.dedup();
    for n in names {
        s = s.replace(n, &mask_name(n));
    }
    redact_numbers(&s)
}

/// Masks the number-like runs (ASCII letters and digits, with inner hyphens) that are personal
/// data.
fn redact_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_alphanumeric()
                || (chars[i] == '-'
                    && i + 1 < chars.len()
                    && chars[i + 1].is_ascii_digit()
                    && chars[i - 1].is_ascii_digit()))
        {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        out.push_str(&redact_run(&run));
    }
    out
}

fn redact_run(run: &str) -> String {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let n = run.len();
    // Landline with area code: 0xx(x)-xxxxxxx(x).
    if let Some((area, local)) = run.split_once('-')
        && area.starts_with('0')
        && (3..=4).contains(&area.len())
        && digits(area)
        && digits(local)
        && (7..=8).contains(&local.len())
    {
        return mask_phone(run);
    }
    if run.contains('-') {
        return run.to_owned();
    }
    let id_like = (n == 18
        && digits(&run[..17])
        && run[17..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x'))
        || (n == 15 && digits(run));
    if id_like {
        return mask_id_number(run);
    }
    if n == 11 && digits(run) && run.starts_with('1') {
        return mask_phone(run);
    }
    if (10..=12).contains(&n) && digits(run) && run.starts_with('0') {
        return mask_phone(run);
    }
    if (16..=19).contains(&n) && digits(run) {
        return format!("{}{}", "*".repeat(n - 4), &run[n - 4..]);
    }
    if n == 18 && run.starts_with("92") && Uscc::parse_strict(run).is_ok() {
        return format!("{}{}", &run[..8], "*".repeat(10));
    }
    run.to_owned()
}

/// The public title and body of a case published under `p`: the declared items (in order) under
/// their keys, with `"items"` holding `[key, label, value]` for display, plus the case number.
///
/// Every published text goes through [`redact_text`] (not only the items declared
/// `redact_text`): the decision number, the title and any free text may carry an identity
/// number, a phone or a party's name. The names redacted are those of `names_from`, except a
/// name whose item is published unmasked by declaration (an organisation's name, where an item
/// sourced from that field has a `mask_name_when` that does not hold).
pub fn body(
    t: &CaseType,
    p: &PublicationCapability,
    number: &str,
    agency: &str,
    published_on: &str,
    fields: &Map<String, Value>,
    events: &[EventRow],
) -> (String, Value) {
    let text = |code: &str| {
        fields
            .get(code)
            .map(|v| display_value(t, code, v, true))
            .unwrap_or_default()
    };
    let names: Vec<String> = p
        .names_from
        .iter()
        .filter(|f| {
            !p.items.iter().any(|it| {
                it.source == **f && it.mask_name_when.as_ref().is_some_and(|c| !c.holds(fields))
            })
        })
        .map(|f| text(f))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut body = Map::new();
    body.insert("number".into(), Value::from(redact_text(number, &names)));
    let mut items = Vec::new();
    for it in &p.items {
        if it.omit_when.as_ref().is_some_and(|c| c.holds(fields)) {
            continue;
        }
        let mut v = match it.source.as_str() {
            "number" => number.to_owned(),
            "agency" => agency.to_owned(),
            "published_on" => published_on.to_owned(),
            src if src.starts_with(PUBLICATION_DATE_OF) => {
                let tr = &src[PUBLICATION_DATE_OF.len()..];
                events
                    .iter()
                    .rev()
                    .find(|e| e.transition == tr)
                    .map(|e| e.on_date.clone())
                    .unwrap_or_default()
            }
            field => text(field),
        };
        if it.mask_name_when.as_ref().is_some_and(|c| c.holds(fields)) {
            v = mask_name(&v);
        }
        // The agency and dates are not personal; everything else is redacted.
        if !matches!(it.source.as_str(), "agency" | "published_on")
            && !it.source.starts_with(PUBLICATION_DATE_OF)
        {
            v = redact_text(&v, &names);
        }
        body.insert(it.key.clone(), Value::from(v.clone()));
        items.push(Value::Array(vec![
            Value::from(it.key.clone()),
            Value::from(it.label_zh.clone()),
            Value::from(v),
        ]));
    }
    body.insert("items".into(), Value::Array(items));
    let title = fill_template(&p.title, |name| {
        let v = if name == "number" {
            number.to_owned()
        } else {
            text(name)
        };
        if v.is_empty() { number.to_owned() } else { v }
    });
    (redact_text(&title, &names), Value::Object(body))
}

/// The label and value of each item of a publication body (non-empty values, in order).
pub fn items_of(body: &Value) -> Vec<(String, String)> {
    body.get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|it| {
                    let label = it.get(1)?.as_str()?;
                    let value = it.get(2)?.as_str()?;
                    (!value.is_empty()).then(|| (label.to_owned(), value.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_loses_ids_phones_cards_individual_credit_codes_and_names() {
        let uscc = format!("92110105MA0{}", "1ABC2D");
        let full = format!(
            "{uscc}{}",
            Uscc::compute_check_char(&uscc).expect("17 valid characters")
        );
        assert!(Uscc::parse_strict(&full).is_ok(), "{full}");
        let text = format!(
            "当事人王小明（身份证号360426199101010071，电话13912345678，座机0791-86543210，\
             银行卡6222021234567890123，个体户代码{full}）于2026-11-01在望江路88号设摊；王小明称不知情。"
        );
        let r = redact_text(&text, &["王小明"]);
        for secret in [
            "王小明",
            "360426199101010071",
            "13912345678",
            "86543210",
            "6222021234567890123",
            full.as_str(),
        ] {
            assert!(!r.contains(secret), "{secret} left in {r}");
        }
        // Dates, addresses and amounts stay.
        assert!(r.contains("2026-11-01") && r.contains("望江路88号"), "{r}");
        assert!(r.contains("王**"), "{r}");
        assert!(r.contains("0123"), "a card keeps its last four digits: {r}");
    }

    #[test]
    fn a_company_credit_code_and_ordinary_numbers_stay() {
        let company = "91360100MA35XXXX0A";
        let r = redact_text(
            &format!("处罚决定书望综执罚〔2026〕12号，罚款500元，{company}"),
            &[],
        );
        assert!(r.contains("12号") && r.contains("500元"), "{r}");
        assert!(r.contains(company), "{r}");
    }
}
