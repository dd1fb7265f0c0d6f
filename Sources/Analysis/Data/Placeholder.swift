import Foundation
import CTIFF
