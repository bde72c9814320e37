//! Template structs (askama) and the small view models they read.

use askama::Template;
use fazhi_app::cases::{ActionView, CaseView};
use fazhi_app::{Actor, AppError};
use fazhi_store::{CaseRow, DepartmentRow, PublicationRow, SessionRow, UnitRow, UserRow};
use fazhi_workflow::{CaseType, Registry};
use std::sync::Arc;

/// One case type in the menu and on "my work" (from its declared `[presentation]`).
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub code: String,
    pub label: String,
    pub create_label: String,
    pub home: bool,
}

tokio::task_local! {
    /// The menu of the registry serving the current request (set by a layer of the router, so
    /// that every page's [`Chrome`] lists the case types in declared order).
    pub static MENU: Arc<Vec<MenuItem>>;
}

tokio::task_local! {
    /// The case types the logged-in user's unit runs (set by the page extractor,
    /// [`crate::auth::PageUser`], within the scope the router's layer opens; `None`: all).
    pub static RUNS: std::cell::RefCell<Option<Vec<String>>>;
}

/// The case types of a registry in menu order.
pub fn menu_of(registry: &Registry) -> Arc<Vec<MenuItem>> {
    Arc::new(
        registry
            .in_menu_order()
            .into_iter()
            .map(|t| MenuItem {
                code: t.code.clone(),
                label: t.presentation.menu_label.clone(),
                create_label: t.presentation.create_label.clone(),
                home: t.presentation.home,
            })
            .collect(),
    )
}

/// What every logged-in page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub actor_name: String,
    pub unit_name: String,
    pub roles: String,
    pub csrf: String,
    pub nav: String,
    pub menu: Arc<Vec<MenuItem>>,
}

impl Chrome {
    pub fn new(actor: &Actor, session: &SessionRow, nav: &str) -> Chrome {
        Chrome {
            actor_name: actor.display_name.clone(),
            unit_name: actor.unit_name.clone(),
            roles: actor
                .roles
                .iter()
                .map(|r| r.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            csrf: session.csrf.clone(),
            nav: nav.into(),
            menu: {
                let menu: Arc<Vec<MenuItem>> = MENU.try_with(Arc::clone).unwrap_or_default();
                match RUNS.try_with(|r| r.borrow().clone()).ok().flatten() {
                    Some(runs) => Arc::new(
                        menu.iter()
                            .filter(|m| runs.contains(&m.code))
                            .cloned()
                            .collect(),
                    ),
                    None => menu,
                }
            },
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FormField {
    pub name: String,
    pub label: String,
    /// text, textarea, select, checks, checkbox, date, money
    pub widget: String,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub value: String,
    pub values: Vec<String>,
    pub error: String,
}

#[derive(Debug, Clone, Default)]
pub struct ProblemView {
    pub message: String,
    pub basis: String,
}

/// Field errors, legal refusals and overridable warnings of one form.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    pub refusals: Vec<ProblemView>,
    pub warnings: Vec<ProblemView>,
    pub general_error: String,
    pub by_field: Vec<(String, String)>,
}

impl Problems {
    pub fn from_error(e: &AppError) -> Problems {
        let mut p = Problems::default();
        match e {
            AppError::Invalid(list) => {
                for f in list {
                    p.by_field.push((f.field.clone(), f.message.clone()));
                }
                if list
                    .iter()
                    .any(|f| f.field == "on" || f.field == "unit_code" || f.field == "file")
                {
                    p.general_error = list
                        .iter()
                        .map(|f| f.message.clone())
                        .collect::<Vec<_>>()
                        .join("；");
                }
            }
            AppError::Refused(list) => {
                for r in list {
                    let view = ProblemView {
                        message: r.message_zh.clone(),
                        basis: r.basis_zh().unwrap_or_default(),
                    };
                    if r.overridable {
                        p.warnings.push(view);
                    } else if let Some(f) = &r.field {
                        p.by_field.push((f.clone(), r.message_zh.clone()));
                        if r.statute.is_some() {
                            p.refusals.push(view);
                        }
                    } else {
                        p.refusals.push(view);
                    }
                }
            }
            other => p.general_error = crate::error::body_of(other).message,
        }
        if p.refusals.is_empty()
            && p.warnings.is_empty()
            && p.general_error.is_empty()
            && !p.by_field.is_empty()
        {
            p.general_error = "请按提示修改标出的栏目后重新提交。".into();
        }
        p
    }

    pub fn field_error(&self, name: &str) -> String {
        self.by_field
            .iter()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join("；")
    }
}

fn widget_of(kind: &str, has_options: bool) -> &'static str {
    match kind {
        "long_text" => "textarea",
        "date" => "date",
        "money" => "money",
        "bool" => "checkbox",
        "flags" | "officer_list" => "checks",
        _ if has_options => "select",
        _ => "text",
    }
}

/// Builds the form fields of an action or a create form, with posted values and errors.
pub fn form_fields(
    a: &ActionView,
    values: &[(String, String)],
    problems: &Problems,
    extra_options: &dyn Fn(&str) -> Vec<(String, String)>,
) -> Vec<FormField> {
    a.inputs
        .iter()
        .map(|i| {
            let mut options = i.options.clone();
            if options.is_empty() {
                options = extra_options(&i.kind);
            }
            FormField {
                name: i.field.clone(),
                label: i.label.clone(),
                widget: widget_of(&i.kind, !options.is_empty()).into(),
                required: i.required,
                value: values
                    .iter()
                    .find(|(k, _)| *k == i.field)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                values: values
                    .iter()
                    .filter(|(k, _)| *k == i.field)
                    .map(|(_, v)| v.clone())
                    .collect(),
                error: problems.field_error(&i.field),
                options,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub error: Option<String>,
    pub next: String,
    pub login: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
pub struct TokensPage {
    pub chrome: Chrome,
    pub tokens: Vec<TokenView>,
    /// A token just created, shown this once.
    pub new_token: Option<String>,
    pub error: Option<String>,
}

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
}

/// One row of a case table.
#[derive(Debug, Clone)]
pub struct RowView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub state_label: String,
    pub category: String,
    pub created_on: String,
    pub due_on: String,
    pub due_class: String,
    pub due_note: String,
}

/// One cell of a list row built from the declared list columns.
#[derive(Debug, Clone)]
pub struct CellView {
    /// `number` (a link), `state` (a badge), `due` (a badge with its class) or plain text.
    pub kind: String,
    pub text: String,
    pub class: String,
}

/// A list row with the declared columns of its case type.
#[derive(Debug, Clone)]
pub struct ListRowView {
    pub id: i64,
    pub cells: Vec<CellView>,
}

impl ListRowView {
    pub fn new(c: &CaseRow, t: &CaseType, today: &str, soon: &str) -> ListRowView {
        let r = RowView::new(c, Some(t), today, soon);
        let cells = t
            .presentation
            .list_columns
            .iter()
            .map(|col| {
                let (kind, text, class) = if !col.builtin {
                    let text = c
                        .fields
                        .get(&col.code)
                        .map(|v| fazhi_app::cases::display_value(t, &col.code, v, false))
                        .unwrap_or_default();
                    ("text", text, String::new())
                } else {
                    match col.code.as_str() {
                        "number" => ("number", r.number.clone(), String::new()),
                        "title" => ("text", r.title.clone(), String::new()),
                        "state" => ("state", r.state_label.clone(), String::new()),
                        "category" => ("text", r.category.clone(), String::new()),
                        "created_on" => ("date", r.created_on.clone(), String::new()),
                        "closed_on" => (
                            "date",
                            c.closed_on.clone().unwrap_or_default(),
                            String::new(),
                        ),
                        "due" => (
                            "due",
                            format!("{} {}", r.due_on, r.due_note).trim().to_owned(),
                            r.due_class.clone(),
                        ),
                        _ => ("text", String::new(), String::new()),
                    }
                };
                CellView {
                    kind: kind.into(),
                    text,
                    class,
                }
            })
            .collect();
        ListRowView { id: r.id, cells }
    }
}

impl RowView {
    pub fn new(c: &CaseRow, t: Option<&CaseType>, today: &str, soon: &str) -> RowView {
        let due = c.due_on.clone().unwrap_or_default();
        let (class, note) = if due.is_empty() {
            ("", "")
        } else if due.as_str() < today {
            ("bad", "已超期")
        } else if due.as_str() <= soon {
            ("soon", "临期")
        } else {
            ("", "")
        };
        RowView {
            id: c.id.0,
            number: c.number.clone(),
            title: c.title.clone(),
            state_label: t
                .map(|t| t.state_label(&c.state))
                .unwrap_or_else(|| c.state.clone()),
            category: c.category.clone().unwrap_or_default(),
            created_on: c.created_on.clone(),
            due_on: due,
            due_class: class.into(),
            due_note: note.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub today: String,
    pub rows: Vec<RowView>,
    pub waiting: Vec<RowView>,
    pub overdue_total: String,
    pub soon_label: String,
    pub soon_total: String,
    pub open_total: String,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilterView {
    pub q: String,
    pub state: String,
    pub category: String,
    pub from: String,
    pub to: String,
    pub due: String,
    pub sort: String,
}

#[derive(Template)]
#[template(path = "case_list.html")]
pub struct CaseListPage {
    pub chrome: Chrome,
    pub case_type: String,
    pub type_name: String,
    pub states: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    pub category_label: String,
    pub soon_label: String,
    /// Declared filters (`q`, `state`, `category`, `created`, `due`).
    pub filters: Vec<String>,
    pub columns: Vec<String>,
    pub f: ListFilterView,
    pub rows: Vec<ListRowView>,
    pub total_text: String,
    pub page: i64,
    pub has_next: bool,
    pub prev_url: String,
    pub next_url: String,
}

#[derive(Template)]
#[template(path = "case_new.html")]
pub struct CaseNewPage {
    pub chrome: Chrome,
    pub case_type: String,
    pub type_name: String,
    pub units: Vec<(String, String)>,
    pub unit: String,
    pub on: String,
    pub form_fields: Vec<FormField>,
    pub prefix: String,
    pub form_id: String,
    pub refusals: Vec<ProblemView>,
    pub warnings: Vec<ProblemView>,
    pub general_error: String,
}

#[derive(Debug, Clone)]
pub struct ClockView {
    pub label: String,
    pub status_label: String,
    pub class: String,
    pub started_on: String,
    pub due_on: String,
    pub basis: String,
    pub explain: Vec<String>,
    pub calendar_version: String,
}

#[derive(Debug, Clone)]
pub struct ActionForm {
    pub code: String,
    pub label: String,
    pub fields: Vec<FormField>,
    pub on: String,
    pub open: bool,
    pub refusals: Vec<ProblemView>,
    pub warnings: Vec<ProblemView>,
    pub general_error: String,
}

#[derive(Template)]
#[template(path = "case_view.html")]
pub struct CaseViewPage {
    pub chrome: Chrome,
    pub v: CaseView,
    pub clocks: Vec<ClockView>,
    pub actions: Vec<ActionForm>,
    pub notice: String,
    /// The case type's documents (文书) with the copies issued.
    pub documents: Vec<fazhi_app::documents::DocumentEntry>,
    pub service_methods: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "officers.html")]
pub struct OfficersPage {
    pub chrome: Chrome,
    pub today: String,
    pub officers: Vec<fazhi_app::org::OfficerView>,
    pub total: usize,
    pub certified: usize,
    pub reviewers: usize,
    pub domains: Vec<String>,
    pub can_edit: bool,
    pub notice: String,
    pub refusals: Vec<ProblemView>,
    pub warnings: Vec<ProblemView>,
    pub general_error: String,
    pub form_id: String,
}

#[derive(Template)]
#[template(path = "org.html")]
pub struct OrgPage {
    pub chrome: Chrome,
    /// unit, kind label, depth
    pub units: Vec<(UnitRow, String, usize)>,
    pub departments: Vec<DepartmentRow>,
    /// user, roles label, scope label
    pub users: Vec<(UserRow, String, String)>,
    pub roles: Vec<(String, String)>,
    pub scopes: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
    pub can_edit: bool,
    pub notice: String,
    pub refusals: Vec<ProblemView>,
    pub warnings: Vec<ProblemView>,
    pub general_error: String,
    pub form_id: String,
}

#[derive(Debug, Clone)]
pub struct AuditLine {
    pub id: i64,
    pub time: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub change: String,
    pub hash: String,
    pub hash_short: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub rows: Vec<AuditLine>,
    pub entities: Vec<(String, String)>,
    pub entity: String,
    pub entity_id: String,
    pub actor: String,
    pub verify: Option<(bool, String)>,
    pub next_before: Option<i64>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub chrome: Chrome,
    pub from: String,
    pub days: String,
    pub unit: String,
    pub due: String,
    pub explain: Vec<String>,
    pub error: String,
}

#[derive(Debug, Clone)]
pub struct PublicRow {
    pub id: i64,
    /// The declared list items' values; the first is the link (the case number when empty).
    pub cells: Vec<String>,
    pub published_on: String,
}

impl PublicRow {
    /// `keys`: the body keys of the public list's columns.
    pub fn new(p: &PublicationRow, keys: &[String]) -> PublicRow {
        let g = |k: &str| {
            p.body
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let mut cells: Vec<String> = keys.iter().map(|k| g(k)).collect();
        match cells.first_mut() {
            Some(first) if first.is_empty() => *first = g("number"),
            None => cells.push(g("number")),
            _ => {}
        }
        PublicRow {
            id: p.id,
            cells,
            published_on: p.published_on.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "public_list.html")]
pub struct PublicListPage {
    /// Column headers (the declared list items; the publication date follows).
    pub columns: Vec<String>,
    pub rows: Vec<PublicRow>,
    pub page: i64,
    pub has_next: bool,
}

#[derive(Template)]
#[template(path = "public_detail.html")]
pub struct PublicDetailPage {
    pub title: String,
    pub items: Vec<(String, String)>,
}
