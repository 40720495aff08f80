import Foundation
internal import Mustache
import PerfgateCore

// MARK: tune.html — "how this budget would have performed" (`perfgate report --budget FILE --tune`)

/// The back-test of the budget (`perfgate tune`) as a page: the same headline, sections and words as
/// the `perfgate tune` table (`TuneReport.textSections`), plus the per-series counts of every rule.
struct TunePage {
    var meta: PageMeta
    var budgetsFile: String
    var branch: String
    var headline: [String]
    var notices: [String]
    var sections: [TuneSectionModel]
    var verification: String
    var hasVerification: Bool

    init(meta: PageMeta, report: TuneReport) {
        self.meta = meta
        budgetsFile = report.budgetsFile
        branch = report.branch
        headline = report.headlineLines
        notices = report.notices
        sections = report.textSections.map(TuneSectionModel.init)
        verification = report.verificationLine ?? ""
        hasVerification = report.verificationLine != nil
    }
}

struct TuneSectionModel {
    var id: String
    var title: String
    var header: [TuneCell]
    var rows: [TuneRowModel]
    var hasRows: Bool
    var empty: String

    init(_ s: TuneReport.TextSection) {
        id = s.id
        title = s.title
        header = s.header.enumerated().map { TuneCell(text: $1, numeric: s.numeric.contains($0)) }
        rows = s.rows.map { r in TuneRowModel(cells: r.enumerated().map { TuneCell(text: $1, numeric: s.numeric.contains($0)) }) }
        hasRows = !s.rows.isEmpty
        empty = s.empty
    }
}

struct TuneRowModel {
    var cells: [TuneCell]
}

struct TuneCell {
    var text: String
    var numeric: Bool
}

extension TunePage: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "meta": return meta
        case "budgetsFile": return budgetsFile
        case "branch": return branch
        case "headline": return headline
        case "notices": return notices
        case "sections": return sections
        case "verification": return verification
        case "hasVerification": return hasVerification
        default: return nil
        }
    }
}

extension TuneSectionModel: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "id": return id
        case "title": return title
        case "header": return header
        case "rows": return rows
        case "hasRows": return hasRows
        case "empty": return empty
        default: return nil
        }
    }
}

extension TuneRowModel: MustacheParent {
    func child(named key: String) -> Any? { key == "cells" ? cells : nil }
}

extension TuneCell: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "text": return text
        case "numeric": return numeric
        default: return nil
        }
    }
}
