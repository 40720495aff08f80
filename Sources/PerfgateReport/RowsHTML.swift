import PerfgateCore

// The long, repeated table bodies (hundreds of rows per page) are rendered here rather than in Mustache:
// a row through the template engine costs a dynamic lookup per field and a per-character escape per value.
// Each function writes exactly what the section it replaces in the built-in template wrote, escaping every
// value with `Escape.html`; the templates insert the result raw (`{{{…RowsHTML}}}`).
enum RowsHTML {
    /// `html/commit.html` for one commit.
    static func commit(_ c: CommitLink, into out: inout String) {
        if c.hasURL {
            out += "<a class=\"mono\" href=\""
            out += Escape.html(c.url)
            out += "\" title=\""
            out += Escape.html(c.sha)
            out += "\">"
            out += Escape.html(c.short)
            out += "</a>"
        } else {
            out += "<span class=\"mono\" title=\""
            out += Escape.html(c.sha)
            out += "\">"
            out += Escape.html(c.short)
            out += "</span>"
        }
    }

    /// `runs/<id>.html`, table `statistics`: one row per series and statistic.
    static func runStatistics(_ series: [RunSeriesModel]) -> String {
        var out = ""
        out.reserveCapacity(series.reduce(0) { $0 + $1.statistics.count } * 160)
        for s in series {
            var name = ""
            if s.hasHref {
                name += "<a href=\""
                name += Escape.html(s.href)
                name += "\">"
                name += Escape.html(s.title)
                name += "</a>"
            } else {
                name += Escape.html(s.title)
            }
            name += " <span class=\"muted\">("
            name += Escape.html(s.unit)
            name += ", "
            name += Escape.html(s.direction)
            name += ")</span></td><td>"
            for st in s.statistics {
                out += "<tr><td class=\"name\">"
                out += name
                out += Escape.html(st.name)
                out += "</td><td class=\"num\">"
                out += Escape.html(st.value)
                out += "</td></tr>\n"
            }
        }
        return out
    }

    /// `series/<slug>.html`, table `points`: one row per run, newest first.
    static func seriesPoints(_ rows: [PointRow]) -> String {
        var out = ""
        out.reserveCapacity(rows.count * (260 + (rows.first?.cells.count ?? 0) * 40))
        for r in rows {
            out += "<tr data-branch=\""
            let branch = Escape.html(r.branch)
            out += branch
            out += "\"><td>"
            commit(r.commit, into: &out)
            out += "</td><td>"
            out += branch
            out += "</td><td>"
            out += Escape.html(r.time)
            out += "</td><td><a href=\""
            out += Escape.html(r.runHref)
            out += "\">"
            out += Escape.html(r.runId)
            out += "</a></td>"
            for c in r.cells {
                out += "<td class=\"num\">"
                out += Escape.html(c.text)
                out += "</td>"
            }
            out += "</tr>\n"
        }
        return out
    }

    /// `index.html`, table `runs-table`: one row per run, newest first.
    static func indexRuns(_ runs: [RunLinkRow]) -> String {
        var out = ""
        out.reserveCapacity(runs.count * 320)
        for r in runs {
            out += "<tr><td><a href=\""
            out += Escape.html(r.href)
            out += "\">"
            out += Escape.html(r.id)
            out += "</a></td><td>"
            commit(r.commit, into: &out)
            out += "</td><td>"
            out += Escape.html(r.commit.branch)
            out += "</td><td>"
            out += Escape.html(r.scenario)
            out += "</td><td>"
            out += Escape.html(r.environment)
            out += "</td><td>"
            out += Escape.html(r.tool)
            out += "</td><td>"
            out += Escape.html(r.started)
            out += "</td></tr>\n"
        }
        return out
    }
}
