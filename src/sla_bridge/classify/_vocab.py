"""The words of support tickets: regular expressions over normalised text, by meaning.

Kept apart from the rules that use them (:mod:`._signals`) so each list can be read and
extended on its own. Every pattern runs on text from :func:`._text.normalise` (lower case,
contractions spelt out: "cannot", "will not", "does not").
"""

from __future__ import annotations

import re


def rx(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` (a shorthand that keeps the long lists below readable)."""
    return re.compile(pattern)


def near(a: str, b: str, gap: int = 6) -> re.Pattern[str]:
    """Match ``a`` and ``b`` (either order) with at most ``gap`` words between them."""
    between = rf"\W+(?:[\w'%.-]+\W+){{0,{gap}}}?"
    return re.compile(rf"\b(?:{a}){between}(?:{b})|\b(?:{b}){between}(?:{a})")


FAIL = (r"fail\w*|errors?\b|cannot|unable|impossible|not (?:work\w*|possible|able|start\w*"
        r"|complet\w*|finish\w*|running|run|load\w*|open\w*|launch\w*|respond\w*|arriv\w*"
        r"|received?|applied|respected|honou?red|go(?:ing)? through|come (?:back )?up|boot\w*"
        r"|there|connect\w*|register\w*|backing|backed)|no longer|stuck|stopped|stops?\b|halted"
        r"|broken|dies|died|dead\b|crash(?!plan)\w*|refus\w*|unavailable|unreachable|rejected|declin\w*"
        r"|denied|locked|loops?\b|hangs?\b|frozen|freez\w*|time[sd]? out|timeout|never \w+"
        r"|will not \w+|does not \w+|did not \w+|do not \w+|has not|have not|not found"
        r"|disappeared|missing|gone\b|skipped|0%|stall\w*|truncat\w*|\b0 files|paused"
        r"|went wrong|goes wrong|something wrong|errors? out|same result|\bnot licensed\b"
        r"|unlicensed|\bnothing (?:is|has|was|gets?|will)\b|\binability\b"
        r"|\b(?:nobody|no one|none of (?:\w+ ){0,3}?\w+)(?: (?!else\b)\w+){0,4}? (?:can|could"
        r"|is able|are able|was able|were able|manages?)\b"
        r"|\bno (?:\w+ ){0,2}(?:have|has|had|can|could|is|are|was|were) (?:been )?"
        r"(?!lost\b|loss\b|broken\b)\w+")
RESTORE = (r"restor\w*|recover(?!y point|y time)\w*|retriev\w*|get (?:\w+ ){0,3}back|files? back"
           r"|download\w* (?:\w+ ){0,2}(?:files?|backups?|archives?)")
RESTORE_NEED = rx(r"\bneed (?:\w+ ){0,5}back\b|\bneed to (?:restore|recover)"
                  r"|\bwant (?:\w+ ){0,4}back\b")
BACKUP_MISSING = rx(
    r"\bno backups?\b|\bbackups? (?:is |are )?(?:missing|gone|empty)|archive not found"
    r"|nothing to restore|\bshows? (?:nothing|no \w+)"
)
BACKUP = (r"back(?:ing|ed|s)? ?up\w*|(?<!from a )(?<!from the )(?<!in the )(?<!in a )backups?"
          r"|synchroniz\w*|synchronis\w*|replicat\w*|seed\w*"
          r"|destination\w*")
ACCESS = (r"log ?(?:in|on)\w*|sign(?:ing)? ?(?:in|on)\b|login\w*|authenticat\w*|\bsso\b|saml"
          r"|locked out|access\w*|credentials?")
OUTAGE = rx(
    r"\b(?:is|are|went|gone|been|goes) (?:completely |fully |totally |entirely |all |still )?"
    r"down\b|\bdown for\b|\boutage\b|\boffline\b"
    r"|\bunreachable\b|\bnot reachable\b|service unavailable|\bnon-?operational\b"
    r"|\bnot operational\b"
    r"|will not (?:start|boot|come|launch|open)|does not (?:start|boot|come|launch|open|answer"
    r"|respond)|not (?:start|boot|launch)\w*|crash(?!plan)\w*|\bdies\b|\bdied\b|black screen"
    r"|not respond\w*|stopped responding|disconnect\w*|cannot connect|unable to connect"
    r"|destination (?:is |shows as |as )?unavailable|waiting for connection"
    r"|closes (?:straight away|immediately|right away|instantly)"
    r"|\bis dead\b|effectively dead|production (?:\w+ ){0,3}(?:is )?down|system (?:is )?down"
)
COMPLETE_LOSS = rx(
    r"\bnot \w+ at all\b|\b(?:completely|fully|entirely) (?:down|stopped|broken|unusable|blocked"
    r"|offline|unavailable|dead)"
    r"|complete (?:outage|loss|failure)"
    r"|total (?:outage|failure|loss)|\btotally (?:down|broken|unusable)|nothing works"
    r"|not working at all|cannot (?:reasonably )?continue|cannot work\b|we are (?:completely )?"
    r"(?:stopped|dead in the water)|(?:production|system|everything) is (?:\w+ )?down"
    r"|\bdown for (?:everyone|everybody|all)"
)
INTERMITTENT = rx(
    r"\bevery (?:few|couple of) (?:minutes|hours|days)\b|intermittent\w*"
    r"|on and off|\bsometimes\b|occasionally|randomly|from time to time|times a day"
    r"|\bevery few\b|\bhit and miss\b|every (?:morning|day|night)"
)
STILL_WORKS = rx(
    r"\bstill (?:seem to |appear to )?(?:work\w*|run\w*|finish\w*|complet\w*|going|able)"
    r"|(?:backups?|data backup|content)(?: themselves)? (?:seems? |looks? |are |is )?"
    r"(?:fine|ok|okay|working|complete)\b"
    r"|\beventually (?:complete|finish|upload)\w*|work (?:continues|goes on)|can still"
    r"|\bthen works\b|works normally|continues normally|carry on|keep working"
    r"|existing (?:\w+ ){0,2}(?:are|keep) (?:fine|working)|mostly protected|partly complete"
    r"|partially|after that it works|(?:smaller|other|some|most) (?:files|folders) (?:restore|work)"
)
PERF = rx(
    r"\bslow\w*|crawl\w*|sluggish|\bperformance\b|throughput|\bspeed\b|take[ns]? ages"
    r"|takes? forever|estimate of \d+ (?:days|hours|weeks)|\d+\+? hours|\blag\w*"
    r"|\b(?:high|full|maxed|pegged|spik\w*|all|all the|\d+ ?%)(?: of)?(?: the)? cpu\b"
    r"|\bcpu (?:usage |load )?(?:is |at |of |hits? |stays? )?(?:high|\d+|maxed|pegged|spik\w*)"
    r"|running at|\bmb per|\bkb/s|\bmbps\b|take (?:\w+ )?(?:days|weeks)|took \d+ hours"
    r"|(?:times|x) longer"
)
PERF_SEVERE = rx(
    r"\bvery\b|extremely|unbelievabl\w*|painfully|massive\w*|\bbadly\b|dramatic\w*|sever\w*"
    r"|to a crawl|crawl\w*|collaps\w*|\bdropped\b|\bweeks\b|\bdays\b|unusable|\bbarely\b|huge"
    r"|significant\w*|\d+(?:-\d+)? times|\b\d+x\b|100%|9\d%|pegged|\bages\b|forever"
    r"|over \d+ hours|\d+\+ hours|behind|backlog|\d+ hours|much (?:longer|slower)"
)
PERF_MILD = rx(
    r"\ba bit\b|slightly|somewhat|a little|\bjust slower\b|slower than (?:usual|before)"
    r"|still (?:finish|complete)\w*"
)
INSTALL = r"install\w*|deploy(?!ment)\w*|roll ?out|\bregister\w*|\bpackage\w*"
UPGRADE = r"upgrad\w*|update\w*|patch\w*"
MINOR = rx(
    r"\bcosmetic\b|purely visual|\bvisual\b|annoying|inconvenien\w*|\bminor\b|small thing"
    r"|not blocking|not urgent|no rush|confusing|cut off|overlap\w*|unreadable|barely readable"
    r"|misaligned|wrong (?:format|colou?r|font|date|time|timezone|time zone|label)|\bday off\b"
    r"|\bduplicate\w*|(?<!rebooted )(?<!restarted )(?<!tried )(?<!tried it )\btwice\b"
    r"|\bicon\b|\btooltip\b|\bcolumn header\b"
    r"|\bscaling\b|\bformat\b|\bpreview\w*|\bin utc\b|wrong time ?zone"
    r"|instead of (?:our |the )?local time"
    r"|keeps? (?:asking|prompting|popping)|prompt\w* (?:\w+ )?(?:to|for)\b"
    r"|asks? (?:me|us|him|her|them) to (?:\w+ ){1,3}again"
)
DISCREPANCY = rx(
    r"\b(?:shows?|showing|says|lists?|reports?|displays?)\b.{0,120}\b(?:but|although|even though"
    r"|though|however|while)\b"
    r"|\b(?:wrong|incorrect|inaccurate|do not match|does not match|not match|mismatch|off by"
    r"|doesn't add up|add up to|instead of the (?:original|correct|right|expected|actual))\b"
)
REPORT = r"reports?\b(?! (?:a|an|the|that|missing|errors?)\b)|summary|dashboard|status email"
EXCLUSION = r"exclu\w*"
QUESTION_START = rx(
    r"^(?:[\w ]{0,30}[:-] )?(?:(?:how|what|where|when|which|why|who)(?: \w+)? (?:is|are|do|does"
    r"|did|can|could|should|would|will|to|happens)|what's|is there|are there|is it|is the"
    r"|can (?:i|we|you|it|they)|could (?:i|we|you|someone)|do (?:i|we|you|they)|does|did"
    r"|will (?:i|we|you|it)|would (?:it|you)|should (?:i|we)|any chance|are you|am i|have you)\b"
)
INFO_REQUEST = rx(
    r"\bplease (?:advise|tell me|explain|let me know|confirm|send|share)\b|\bhow (?:do|can|should"
    r"|would) (?:i|we)\b|\bhow to\b|\bwhat is the (?:right|best|recommended)\b|\bbest practices?\b"
    r"|\brecommendations?\b|\bwondering\b|\bnot sure (?:what|how|which|whether)\b|\bquestion\b"
    r"|\bpoint me\b|\bguidance\b|\bcould you (?:please )?(?:explain|tell|share|send|confirm"
    r"|point)\b|\bcan you (?:confirm|explain|tell|send|share)\b|\bneed the steps\b"
    r"|\bsteps (?:for|to)\b|\bwe are planning\b|\bwe're planning\b|\bevaluating\b"
    # Asking to know, understand or be told: "i just want to know", "we would like to
    # understand", "looking for information on", "a request for (additional) information".
    r"|\b(?:want|wanted|would like|like|need|needs|trying|hoping) to (?:know|understand|confirm"
    r"|learn|find out|ask|check whether|check if|clarify)\b|\bcurious\b"
    r"|\b(?:request\w*|looking|asking|searching) (?:for )?(?:some |more |additional |further )?"
    r"(?:information|info|details|clarification|guidance|advice|documentation)\b"
    r"|\b(?:information|info|details|clarification|guidance) (?:on|about|regarding|for|as to)\b"
    r"|\b(?:some|more|additional|further) (?:information|info|details|clarification)\b"
    r"|\b(?:just|only) (?:want|wanted|need|would like|wish) to\b"
    r"|\b(?:want|would like|need|looking for) (?:some |your )?(?:advice|guidance"
    r"|recommendations?)\b"
    r"|\bplease (?:provide|clarify|describe|outline)\b|\bwould (?:just |only )?like the "
    r"(?:recommended|right|best|correct|latest|current)\b|\bwhere (?:do|can|should) (?:i|we)\b"
)
DOC = rx(
    r"\b(?:documentation|docs?|help article|knowledge base|kb article|admin guide|user guide"
    r"|install(?:ation)? guide|upgrade guide|guide|release notes|help text|support site|article"
    r"|help page|manual|handbook|readme|faq|(?:system )?requirements page|(?:web|wiki) page)\b"
)
DOC_WRONG = rx(
    r"\b(?:wrong|errors?|typo|inaccurate|incorrect|mistakes?|misleading"
    r"|outdated|out of date|old version|broken|404|missing|does not exist"
    r"|not exist|refers? to|mismatch|not in our|need(?:s)? a fix|fix|says|lists|screenshots from"
    r"|still has|should be|update the page|no longer exists?|references?|out of date|stale"
    r"|obsolete|dead link|old|still shows?|describes? (?:a|an|the) \w+ (?:that|which) is not)\b"
)
FEATURE = rx(
    r"\bfeature (?:request|idea|suggestion|wish)|\b(?:new|additional|extra) (?:\w+ )?features?\b"
    r"|\b(?:add|adding|want|need|like|love|request\w*|suggest\w*|see) (?:a |an |the |this |that )?"
    r"(?:\w+ )?feature\b|^(?:[\w ]{0,30}[:-] )?feature\b"
    r"|would be (?:great|nice|helpful|useful|good)|would (?:love|like) (?:the ability"
    r"|to have|to see)|we(?:'d| would) love|it would help|would help us|please (?:add|consider)"
    r"|consider (?:it|adding|this)|\bsuggestion\b|\bidea\b|any plans|future (?:release|version"
    r"|update)|enhancement|could you add|can you add|any chance of|\brequest:"
    r"|(?:add|have|want|like|need|love|get|give us) (?:the |an |a )?(?:ability|option) to"
    r"|\bplease add\b|\bplease consider\b"
)
URGENCY = rx(r"\burgent\w*|\basap\b|critical|emergency|immediately|!!+|high priority")
SECURITY = rx(r"\bsecurity\b|exfil\w*|insider|\brisk\b|departing|\bdlp\b|\busb\b|forensic"
               r"|file activity|\bsoc\b|threat\w*|monitored users?")
ALERTING = rx(r"\balert\w*|\breport\w*|notification\w*")
ALERT_DEAD = rx(
    r"\bstopped\b|not (?:fir\w*|work\w*|receiv\w*|generat\w*|arriv\w*|sent|trigger\w*)"
    r"|\bno alerts?\b|\bzero\b|\bempty\b|\bnothing\b|not a single|a single \w+ alert|have not fired"
    r"|\bdead\b|non-?functional|none of|not at all|\bblind\b|\bsilent\b"
)
ALERT_FLAKY = rx(
    r"inconsistent\w*|unreliabl\w*|hit and miss|intermittent\w*|\bsometimes\b|not always"
    r"|\bdelayed\b|\blate\b|days after|after the activity|only \d+ of|for \d+ of them"
    r"|\bothers\b.{0,40}\b(?:do not|don't)\b|\bbut not (?:for )?(?:others|all|every)"
)
RAID_FAILED = rx(
    r"\b(?:raid|array)\b(?:\W+\w+){0,5}?\W+(?:as )?(?:failed|failure|offline|dead|died|down"
    r"|gone|lost|not mounted|inaccessible|crashed)\b|\b(?:failed|dead|offline) (?:raid|array)\b"
    r"|\b(?:raid|array) controller\b.{0,40}\bfail"
)
RAID_DEGRADED = rx(
    r"\b(?:raid|array)\b.{0,60}\bdegraded\b|\bdegraded (?:mode|state|array|raid)\b"
    r"|\bdrive \w+ (?:has )?dropped out\b"
)
APPLIANCE = rx(r"\bappliance\w*\b")
APPLIANCE_DOWN = rx(
    r"\b(?:offline|will not (?:boot|come|start)|does not (?:boot|come|answer|respond|start)"
    r"|not boot\w*|black screen|unreachable|not reachable|not respond\w*|no ping"
    r"|(?:does not|not) answer ping|\bdead\b"
    r"|lost contact|down\b)"
)
HOT_SPARE = rx(r"\b(?:hot )?spare\b|\brebuild\w*")
DISK_FAILED = rx(r"\b(?:disk|drive)s?\b.{0,40}\b(?:failed|failure|dead|died)\b"
                  r"|\b(?:failed|dead) (?:disk|drive)\b")
STORAGE = rx(r"\b(?:disk|storage|space|volume|capacity|free|full|used)\b")
STORAGE_CRITICAL = rx(
    r"critical\w* (?:low|free space)|critically|nearly full|almost full|\b(?:9[5-9]|100) ?%"
    r"(?: used| full)?|only \d+ ?(?:gb|tb|mb) (?:left|free)|\brun(?:ning)? out\b|will fill"
    r"|\bis full\b|\bare full\b|out of (?:disk )?space|no space left|fill up"
)
STORAGE_LOW = rx(
    r"\b(?:storage|space|disk)(?: is)? (?:running )?low\b|\blow (?:disk|storage|space)\b"
    r"|\b(?:[6-8]\d|9[0-4]) ?% (?:used|full)\b|\b(?:[6-9]|1\d) ?% free\b|more capacity"
    r"|add(?:ing)? (?:more )?(?:storage|space|capacity|a shelf|another shelf|disks)"
    r"|plan (?:for )?more|storage low|low free space"
)
EXPIRED = rx(
    r"\b(?:licen[cs]es?|licensing|subscriptions?|account|plan|contract)\b.{0,60}"
    r"\b(?:has |have |is |are |was )?(?:expired|lapsed|suspended|deactivated|closed|ran out)\b"
    r"|\b(?:expired|lapsed) (?:licen[cs]e|subscription|account|plan)"
)
RENEW = rx(r"\brenew\w*|\bcheckout\b|\bpayment\b|\bcard\b|\bpo\b|\bquote\b|\binvoice\b")
LICENCE = rx(r"\blicen[cs]\w*|\bsubscription\w*|\bseats?\b")
# A licensing problem that stops the service: "not licensed", "license key rejected", "we ran
# out of seats", "due to a licensing issue" (Code42's Severity 1 example).
LICENCE_BLOCK = rx(
    r"\bnot licen[cs]ed\b|\bunlicen[cs]ed\b|\blicen[cs](?:e|es|ing)\b (?:\w+ )?(?:issues?|problems?"
    r"|errors?|failures?)\b|\b(?:invalid|rejected|expired) licen[cs]e|\blicen[cs]e (?:key |file )?"
    r"(?:is |was |has been |got )?(?:invalid|rejected|not valid|not accepted|refused|revoked)"
    r"|\b(?:run|ran|running|runs) out of (?:licen[cs]es|seats)"
    r"|\b(?:licen[cs]es?|seats?|subscriptions?) (?:has |have |had )?(?:ran|run|running) out\b"
    r"|\b(?:licen[cs]es|seats) (?:are |were |have been )?(?:all )?(?:used up|exhausted"
    r"|all (?:used|taken|assigned|in use))\b|\bseat (?:limit|cap)\b"
    r"|\bno (?:more |free |available |spare )?(?:seats|licen[cs]es)\b"
    r"|\b(?:due to|because of) (?:a |an |the |our )?(?:\w+ )?licen[cs]\w*"
)
DATA_LOSS = rx(
    r"\b(?:deleted|wiped|overwr\w+|corrupt\w*|lost|gone(?! (?:silent|quiet|down|offline))"
    r"|disappeared|missing|removed|data loss"
    r"|stale values|wrong data)\b"
)
DATA_LOSS_NEGATED = rx(r"\bno data (?:was |is )?(?:lost|loss)\b|\bnothing (?:was |is )?lost\b")
PRODUCTION = rx(r"\bproduction\b|\bprod\b|\blive (?:org|records|data|environment)\b")
NON_PRODUCTION = rx(
    r"\bsandbox\w*|non-?production|\bdev (?:org|sandbox|environment)\b|\buat\b|\bqa\b"
    r"|partial copy|test (?:org|environment)|\bstaging\b"
)
NO_WORKAROUND = rx(
    r"(?:cannot|could not|unable to) find (?:a |any )?(?:workaround|work around|fix|solution)"
    r"|none of (?:the )?.{0,60}\bhelps?\b"
    r"|\bno (?:temporary |known )?(?:workaround|work around|alternative|other way|other copy"
    r"|way to)\b|without (?:a|any) workaround|not found (?:a|any) workaround|(?:have not|not)"
    r" found any workaround|nothing (?:we |i )?(?:try|tried|do|change)?\w* (?:helps|speeds"
    r"|makes)|tried everything|nothing helps|there is no alternative|no change\b"
)
WORKAROUND = rx(
    r"(?<!no )\bworkaround\b|\bwork around\b|in the meantime|\bby hand\b|(?<!add them )\bmanually\b"
    r"|\b(?:use|using|used|pull|run|do) (?:\w+ ){0,5}instead\b"
    r"|\bwe can (?:push|send|pull|deactivate|use|run)|lets it carry on"
    r"|after (?:a|that|the)? ?(?:restart|reboot)\w* (?:it |they |everything )?(?:works|continues"
    r"|is fine|runs|recovers)|(?:restart|reboot)\w* (?:fixes|helps|solves|clears)"
    r"|until (?:\w+ ){0,2}(?:reboot|restart)s?\b|\bre-?entered\b"
    r"|afterwards|then works|\bbut (?:\w+ ){0,4}works\b"
)


FAIL_RX = rx(rf"\b(?:{FAIL})")
RESTORE_FAILS = near(RESTORE, FAIL, 8)
BACKUP_FAILS = near(BACKUP, FAIL, 6)
BACKUP_RX = rx(rf"\b(?:{BACKUP})")
BACKUP_STOPPED = rx(r"\bnothing (?:is |has )?(?:been )?back(?:ing|ed) up|\bno backups?\b"
                    r"|not backing up|stopped backing up|backup is stopped")
ACCESS_FAILS = near(ACCESS, FAIL, 5)
INSTALL_FAILS = near(INSTALL, FAIL, 8)
INSTALL_ISSUE = rx(rf"\b(?:{INSTALL})\W+(?:\w+\W+){{0,2}}?"
                   r"(?:issues?|problems?|trouble|difficult\w*)\b")
UPGRADE_RX = rx(rf"\b(?:{UPGRADE})")
REPORT_RX = rx(rf"\b(?:{REPORT})")
EXCLUSION_RX = rx(rf"\b(?:{EXCLUSION})")
EXCLUSION_IGNORED = rx(r"\bstill\b|\bignor\w*|\bbut\b|not (?:applied|respected|honou?red|work\w*)")
RENEW_WORD = rx(r"\brenew\w*")
