import GRDB
import PerfgateCore
