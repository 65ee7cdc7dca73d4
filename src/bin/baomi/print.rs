//! Printing: forms, listings, the print log, and the unit's templates and fonts.

use std::path::{Path, PathBuf};

use baomi::registers::devices::Devices;
use baomi::registers::personnel::Persons;
use baomi::registers::Register;
use baomi::vault::Session;
use baomi::Error;
use clap::{Parser, Subcommand};

use crate::registers::{DeviceFilters, DocFilters, PersonFilters};
use crate::{done, emit, login, CliResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum PrintCmd {
    /// 列出可打印的表单
    Forms,
    /// 打印台账清单（A4 横向）：`baomi print list doc|device [筛选条件] --out F.pdf`
    List {
        #[command(subcommand)]
        register: ListRegister,
    },
    /// 打印年度保密工作统计表（A4）：`baomi print stats --year Y --out F.pdf`
    Stats {
        #[arg(long, value_name = "YEAR")]
        year: i32,
        /// 保存 PDF 的路径
        #[arg(long, value_name = "F.pdf")]
        out: PathBuf,
    },
    /// 打印记录（打印编号、表单、对象、数据摘要）
    Log {
        #[arg(long)]
        form: Option<String>,
        /// 打印编号，或载体、设备的编号
        #[arg(long, short)]
        query: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// 核对纸质件：按打印编号查出打印记录，并核对所印数据与保密库当前数据是否一致
    Check { serial: String },
    /// 打印模板（系统管理员）：list、show NAME、set NAME FILE、reset NAME
    #[command(subcommand)]
    Template(TemplateCmd),
    /// 表单字体（系统管理员）：list、add FILE、remove NAME、use --body --title
    #[command(subcommand)]
    Font(FontCmd),
    /// 打印表单：`baomi print FORM ID... --out F.pdf [--event N]`（FORM 见 `baomi print forms`，
    /// 如 doc-borrow、device-checkout、device-maintenance、device-transfer）
    #[command(external_subcommand)]
    Form(Vec<String>),
}

#[derive(Subcommand)]
pub enum ListRegister {
    /// 涉密载体登记簿
    Doc {
        #[command(flatten)]
        filters: DocFilters,
        /// 保存 PDF 的路径
        #[arg(long, value_name = "F.pdf")]
        out: PathBuf,
    },
    /// 涉密信息设备台账
    Device {
        #[command(flatten)]
        filters: DeviceFilters,
        /// 保存 PDF 的路径
        #[arg(long, value_name = "F.pdf")]
        out: PathBuf,
    },
    /// 涉密人员登记表
    Person {
        #[command(flatten)]
        filters: PersonFilters,
        /// 保存 PDF 的路径
        #[arg(long, value_name = "F.pdf")]
        out: PathBuf,
    },
}

/// `baomi print FORM ID... --out F.pdf`
#[derive(Parser)]
#[command(name = "baomi print", no_binary_name = true)]
struct FormArgs {
    /// 表单（如 doc-borrow、device-checkout）
    form: String,
    /// 载体的 ID 或编号（清单类表单可列出多件）；设备的 ID、台账编号或保密编号；月核对表为核对记录的 ID
    #[arg(required = true)]
    ids: Vec<String>,
    /// 保存 PDF 的路径
    #[arg(long, value_name = "F.pdf")]
    out: PathBuf,
    /// 用哪一条手续记录填表（事件 ID，见 `baomi doc show --json` 或 `baomi device show --json`），
    /// 默认最近一条（外出审核表默认为尚未归还的那次外出，没有则打印空白表）
    #[arg(long)]
    event: Option<i64>,
    /// 有多种的表单打印哪一种（保密承诺书：上岗、年度、出国(境)前、离岗），
    /// 在登记之前打印待签字的空白件；给出 --event 时不用
    #[arg(long)]
    kind: Option<String>,
}

#[derive(Subcommand)]
pub enum TemplateCmd {
    /// 列出模板及是否已被本单位替换
    List,
    /// 输出模板源文件（便于修改后用 set 载入）
    Show { name: String },
    /// 用本单位的模板替换（测试排版通过后才生效）
    Set { name: String, file: PathBuf },
    /// 恢复内置模板
    Reset { name: String },
}

#[derive(Subcommand)]
pub enum FontCmd {
    /// 列出字体文件和表单所用字体
    List,
    /// 添加字体文件（如本单位授权的仿宋_GB2312），保存在保密库中
    Add { file: PathBuf },
    /// 删除本单位添加的字体文件
    Remove { name: String },
    /// 选择表单的正文字体和标题字体（字体族名）
    Use {
        #[arg(long)]
        body: String,
        #[arg(long)]
        title: String,
    },
}

fn save_printout(
    ctx: &Ctx,
    s: &mut Session,
    p: &baomi::print::Printout,
    out: &Path,
) -> CliResult<()> {
    p.save(out)?;
    s.print_delivered(&p.job.serial, baomi::print::Delivery::Pdf(out))?;
    emit(ctx, &p.job, || {
        format!(
            "已打印 {}：{}，{} 页，打印编号 {}，数据摘要 {} → {}",
            p.job.title,
            p.job.subject,
            p.job.pages,
            p.job.serial,
            p.job.digest,
            out.display()
        )
    })
}

pub fn print(ctx: &Ctx, cmd: PrintCmd) -> CliResult<()> {
    use baomi::print::{self as pr, PrintRequest};
    let mut s = login(ctx)?;
    match cmd {
        PrintCmd::Forms => {
            let forms = s.print_forms()?;
            emit(ctx, &forms, || {
                forms
                    .iter()
                    .map(|f| format!("{}\t{}", f.id, f.title))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        PrintCmd::List { register } => {
            let (form, query, out) = match register {
                ListRegister::Doc { filters, out } => {
                    ("doc-list", serde_json::to_value(filters.query(0, 0)), out)
                }
                ListRegister::Device { filters, out } => (
                    "device-list",
                    serde_json::to_value(filters.query(0, 0)),
                    out,
                ),
                ListRegister::Person { filters, out } => (
                    "person-list",
                    serde_json::to_value(filters.query(0, 0)),
                    out,
                ),
            };
            let query = query.map_err(|e| Error::internal(e.to_string()))?;
            let req = PrintRequest {
                form: form.into(),
                query: Some(query),
                ..Default::default()
            };
            let p = s.print(&req)?;
            save_printout(ctx, &mut s, &p, &out)
        }
        PrintCmd::Stats { year, out } => {
            let p = s.year_stats_report(year)?;
            p.save(&out)?;
            emit(ctx, &p.job, || {
                format!(
                    "已打印 {}（{}，{} 页）→ {}",
                    p.job.title,
                    p.job.serial,
                    p.job.pages,
                    out.display()
                )
            })
        }
        PrintCmd::Check { serial } => {
            let c = s.print_check(&serial)?;
            emit(ctx, &c, || {
                let j = &c.job;
                format!(
                    "{} {}（{}），{} 页，{} 由 {} 打印，数据摘要 {}\n{}",
                    j.serial,
                    j.title,
                    j.subject,
                    j.pages,
                    j.printed_at,
                    j.actor,
                    j.digest,
                    if c.unchanged {
                        "所印数据与保密库当前数据一致".to_string()
                    } else {
                        format!(
                            "打印之后保密库中的数据已变化（当前数据摘要 {}）",
                            c.current_digest
                        )
                    }
                )
            })
        }
        PrintCmd::Log {
            form,
            query,
            offset,
            limit,
        } => {
            let page = s.print_log(&pr::PrintLogQuery {
                form,
                query,
                offset: Some(offset),
                limit: Some(limit),
            })?;
            emit(ctx, &page, || {
                let mut out: Vec<String> = page
                    .rows
                    .iter()
                    .map(|j| {
                        format!(
                            "{}\t{}\t{}\t{}\t{} 页\t{}\t{}",
                            j.serial, j.printed_at, j.actor, j.title, j.pages, j.digest, j.subject
                        )
                    })
                    .collect();
                out.push(format!("共 {} 条", page.total));
                out.join("\n")
            })
        }
        PrintCmd::Template(t) => match t {
            TemplateCmd::List => {
                let list = s.print_templates()?;
                emit(ctx, &list, || {
                    list.iter()
                        .map(|t| {
                            format!(
                                "{}\t{}\t{}",
                                t.name,
                                if t.custom {
                                    "本单位模板"
                                } else {
                                    "内置"
                                },
                                t.forms.join("、")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            TemplateCmd::Show { name } => {
                let text = s.print_template_source(&name)?;
                emit(
                    ctx,
                    &serde_json::json!({ "name": name, "source": text }),
                    || text.clone(),
                )
            }
            TemplateCmd::Set { name, file } => {
                let text = std::fs::read_to_string(&file).map_err(|e| {
                    Error::field(
                        "file",
                        "模板文件",
                        format!("无法读取 {}（须为 UTF-8 文本）：{e}", file.display()),
                    )
                })?;
                let info = s.print_set_template(&name, &text)?;
                emit(ctx, &info, || {
                    format!("模板 {} 已替换（测试排版通过）", info.name)
                })
            }
            TemplateCmd::Reset { name } => {
                let info = s.print_reset_template(&name)?;
                emit(ctx, &info, || {
                    format!("模板 {} 已恢复为内置模板", info.name)
                })
            }
        },
        PrintCmd::Font(f) => match f {
            FontCmd::List => {
                let fonts = s.print_fonts()?;
                emit(ctx, &fonts, || {
                    let mut out: Vec<String> = fonts
                        .files
                        .iter()
                        .map(|f| {
                            format!(
                                "{}\t{}\t{}",
                                f.name,
                                if f.builtin {
                                    "内置"
                                } else {
                                    "本单位添加"
                                },
                                f.families.join("、")
                            )
                        })
                        .collect();
                    out.push(format!(
                        "正文字体：{}　标题字体：{}",
                        fonts.choice.body, fonts.choice.title
                    ));
                    out.join("\n")
                })
            }
            FontCmd::Add { file } => {
                let data = std::fs::read(&file).map_err(|e| {
                    Error::field(
                        "file",
                        "字体文件",
                        format!("无法读取 {}：{e}", file.display()),
                    )
                })?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let added = s.print_add_font(&name, data)?;
                emit(ctx, &added, || {
                    format!(
                        "已添加字体文件 {}：{}",
                        added.name,
                        added.families.join("、")
                    )
                })
            }
            FontCmd::Remove { name } => {
                s.print_remove_font(&name)?;
                done(ctx, &format!("已删除字体文件 {name}"))
            }
            FontCmd::Use { body, title } => {
                let c = s.print_set_fonts(&pr::FontChoice { body, title })?;
                emit(ctx, &c, || {
                    format!("表单字体：正文 {}，标题 {}", c.body, c.title)
                })
            }
        },
        PrintCmd::Form(args) => {
            let a = FormArgs::try_parse_from(&args).map_err(|e| Failure::Usage(e.to_string()))?;
            let form = pr::forms::find(&a.form)?;
            let req = match form.target {
                pr::Target::Reconciliation => {
                    let [id] = a.ids.as_slice() else {
                        return Err(Failure::Usage("月核对表每次打印一条核对记录".into()));
                    };
                    let id = id.parse::<i64>().map_err(|_| {
                        Error::field(
                            "reconciliation",
                            "核对记录",
                            format!("“{id}”不是核对记录的 ID"),
                        )
                    })?;
                    PrintRequest {
                        form: a.form.clone(),
                        reconciliation: Some(id),
                        ..Default::default()
                    }
                }
                pr::Target::List => {
                    return Err(Failure::Usage(
                        "打印台账清单请用 `baomi print list doc|device [筛选条件] --out F.pdf`"
                            .into(),
                    ))
                }
                _ => {
                    // Ids are the form's register's: a device by id, 台账编号 or 保密编号.
                    let mut ids = Vec::new();
                    for key in &a.ids {
                        ids.push(match form.register {
                            r if r == <Devices as Register>::NAME => s.device_resolve(key)?,
                            r if r == <Persons as Register>::NAME => s.person_resolve(key)?,
                            _ => s.doc_resolve(key)?,
                        });
                    }
                    PrintRequest {
                        form: a.form.clone(),
                        ids: Some(ids),
                        event: a.event,
                        kind: a.kind.clone(),
                        ..Default::default()
                    }
                }
            };
            let p = s.print(&req)?;
            save_printout(ctx, &mut s, &p, &a.out)
        }
    }
}
