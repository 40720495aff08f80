internal import Mustache

// Field lookup without reflection: swift-mustache reads struct fields through `Mirror`, which is slow for
// sites with hundreds of thousands of table cells. Each view model answers `child(named:)` with a switch
// over its stored fields. Generated from the model declarations; keep in step when a field is added.

extension PageMeta: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "title": return title
        case "root": return root
        case "generatedAt": return generatedAt
        case "toolVersion": return toolVersion
        case "baseBranch": return baseBranch
        default: return nil
        }
    }
}

extension CommitLink: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "short": return short
        case "sha": return sha
        case "url": return url
        case "hasURL": return hasURL
        case "branch": return branch
        case "time": return time
        default: return nil
        }
    }
}

extension Cell: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "text": return text
        case "cls": return cls
        default: return nil
        }
    }
}

extension NameValue: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "name": return name
        case "value": return value
        default: return nil
        }
    }
}

extension IndexPage: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "meta": return meta
        case "status": return status
        case "newest": return newest
        case "hasNewest": return hasNewest
        case "series": return series
        case "hasSeries": return hasSeries
        case "changePoints": return changePoints
        case "hasChangePoints": return hasChangePoints
        case "runs": return runs
        case "runsRowsHTML": return runsRowsHTML
        case "runCount": return runCount
        case "compareHref": return compareHref
        case "hasCompare": return hasCompare
        case "releaseHref": return releaseHref
        case "hasRelease": return hasRelease
        case "tuneHref": return tuneHref
        case "hasTune": return hasTune
        default: return nil
        }
    }
}

extension StatusModel: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "hasOutcome": return hasOutcome
        case "reason": return reason
        case "verdict": return verdict
        case "verdictClass": return verdictClass
        case "score": return score
        case "headline": return headline
        case "baseline": return baseline
        case "baselineMissing": return baselineMissing
        case "notices": return notices
        case "findings": return findings
        case "hasFindings": return hasFindings
        case "passingCount": return passingCount
        default: return nil
        }
    }
}

extension FindingRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "statistic": return statistic
        case "baseline": return baseline
        case "current": return current
        case "delta": return delta
        case "limit": return limit
        case "verdict": return verdict
        case "verdictClass": return verdictClass
        case "evidence": return evidence
        default: return nil
        }
    }
}

extension IndexSeriesRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "title": return title
        case "href": return href
        case "metric": return metric
        case "environment": return environment
        case "statistic": return statistic
        case "sparkline": return sparkline
        case "first": return first
        case "low": return low
        case "high": return high
        case "latest": return latest
        case "baseline": return baseline
        case "delta": return delta
        case "trendClass": return trendClass
        case "points": return points
        case "changePoints": return changePoints
        default: return nil
        }
    }
}

extension ChangePointRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "href": return href
        case "statistic": return statistic
        case "commit": return commit
        case "before": return before
        case "after": return after
        case "change": return change
        case "pValue": return pValue
        case "kind": return kind
        case "kindClass": return kindClass
        default: return nil
        }
    }
}

extension RunLinkRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "id": return id
        case "href": return href
        case "commit": return commit
        case "scenario": return scenario
        case "environment": return environment
        case "tool": return tool
        case "started": return started
        default: return nil
        }
    }
}

extension SeriesPage: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "meta": return meta
        case "title": return title
        case "scenario": return scenario
        case "environment": return environment
        case "endpoint": return endpoint
        case "metric": return metric
        case "unit": return unit
        case "direction": return direction
        case "charts": return charts
        case "branches": return branches
        case "hasBranchFilter": return hasBranchFilter
        case "budgets": return budgets
        case "hasBudgets": return hasBudgets
        case "band": return band
        case "hasBand": return hasBand
        case "changePoints": return changePoints
        case "hasChangePoints": return hasChangePoints
        case "columns": return columns
        case "rows": return rows
        case "rowsHTML": return rowsHTML
        default: return nil
        }
    }
}

extension ChartModel: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "title": return title
        case "svg": return svg
        case "legend": return legend
        default: return nil
        }
    }
}

extension LegendItem: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "name": return name
        case "cls": return cls
        default: return nil
        }
    }
}

extension BranchOption: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "name": return name
        default: return nil
        }
    }
}

extension PointRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "commit": return commit
        case "runHref": return runHref
        case "runId": return runId
        case "branch": return branch
        case "time": return time
        case "cells": return cells
        default: return nil
        }
    }
}

extension RunPage: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "meta": return meta
        case "id": return id
        case "commit": return commit
        case "facts": return facts
        case "tags": return tags
        case "hasTags": return hasTags
        case "sources": return sources
        case "hasSources": return hasSources
        case "series": return series
        case "statisticsRowsHTML": return statisticsRowsHTML
        case "thresholds": return thresholds
        case "hasThresholds": return hasThresholds
        case "checks": return checks
        case "hasChecks": return hasChecks
        case "errors": return errors
        case "hasErrors": return hasErrors
        default: return nil
        }
    }
}

extension RunSeriesModel: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "title": return title
        case "href": return href
        case "hasHref": return hasHref
        case "unit": return unit
        case "direction": return direction
        case "statistics": return statistics
        case "distribution": return distribution
        default: return nil
        }
    }
}

extension ThresholdRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "metric": return metric
        case "expression": return expression
        case "result": return result
        case "cls": return cls
        default: return nil
        }
    }
}

extension CheckRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "group": return group
        case "name": return name
        case "passes": return passes
        case "fails": return fails
        case "rate": return rate
        case "cls": return cls
        default: return nil
        }
    }
}

extension ErrorRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "endpoint": return endpoint
        case "message": return message
        case "occurrences": return occurrences
        default: return nil
        }
    }
}

extension ComparePage: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "meta": return meta
        case "a": return a
        case "b": return b
        case "rows": return rows
        case "hasRows": return hasRows
        case "note": return note
        default: return nil
        }
    }
}

extension CompareRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "href": return href
        case "statistic": return statistic
        case "a": return a
        case "b": return b
        case "delta": return delta
        case "trend": return trend
        case "trendClass": return trendClass
        default: return nil
        }
    }
}

extension SummaryModel: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "headline": return headline
        case "icon": return icon
        case "context": return context
        case "method": return method
        case "notices": return notices
        case "changed": return changed
        case "hasChanged": return hasChanged
        case "unchanged": return unchanged
        case "hasUnchanged": return hasUnchanged
        case "unchangedCount": return unchangedCount
        case "toolVersion": return toolVersion
        case "generatedAt": return generatedAt
        default: return nil
        }
    }
}

extension SummaryRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "statistic": return statistic
        case "baseline": return baseline
        case "current": return current
        case "delta": return delta
        case "confidence": return confidence
        case "verdict": return verdict
        default: return nil
        }
    }
}

extension ReleaseModel: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "meta": return meta
        case "title": return title
        case "from": return from
        case "to": return to
        case "fromLabel": return fromLabel
        case "toLabel": return toLabel
        case "commitsInRange": return commitsInRange
        case "headline": return headline
        case "endpoints": return endpoints
        case "hasEndpoints": return hasEndpoints
        case "others": return others
        case "hasOthers": return hasOthers
        case "hasOutcome": return hasOutcome
        case "outcomeReason": return outcomeReason
        case "verdict": return verdict
        case "verdictClass": return verdictClass
        case "score": return score
        case "compliance": return compliance
        case "findings": return findings
        case "hasFindings": return hasFindings
        case "introduced": return introduced
        case "hasIntroduced": return hasIntroduced
        case "fixed": return fixed
        case "hasFixed": return hasFixed
        case "improvements": return improvements
        case "hasImprovements": return hasImprovements
        case "capacity": return capacity
        case "hasCostModel": return hasCostModel
        case "costModelInputs": return costModelInputs
        case "estimates": return estimates
        case "hasEstimates": return hasEstimates
        case "noCostModel": return noCostModel
        case "caveats": return caveats
        default: return nil
        }
    }
}

extension ReleaseEndpointRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "href": return href
        case "p50": return p50
        case "p95": return p95
        case "p99": return p99
        case "errorRate": return errorRate
        case "throughput": return throughput
        default: return nil
        }
    }
}

extension ReleaseDelta: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "from": return from
        case "to": return to
        case "delta": return delta
        case "word": return word
        case "cls": return cls
        default: return nil
        }
    }
}

extension ReleaseOtherRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "href": return href
        case "statistic": return statistic
        case "value": return value
        default: return nil
        }
    }
}

extension ReleaseChangeRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "series": return series
        case "href": return href
        case "statistic": return statistic
        case "commit": return commit
        case "before": return before
        case "after": return after
        case "change": return change
        case "pValue": return pValue
        default: return nil
        }
    }
}

extension ReleaseEstimate: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "name": return name
        case "result": return result
        case "formula": return formula
        case "substituted": return substituted
        case "inputs": return inputs
        default: return nil
        }
    }
}
