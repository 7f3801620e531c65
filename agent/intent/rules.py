"""Rules for client-message intent: typo normalisation and ordered, high-precision patterns.

The order follows the labelling guide of the intent set (evals/data/intent/README.md): a harmful
request first, then self-harm wording, an explicit order, distress, a complaint or a request for
a person, how to place an order, fees, account and service. These rules *decide*. The finer
splits (own holdings, suitability, knowledge, chit-chat) are left to the embedding classifier;
the rules only give it a hint there (:func:`hint`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from agent.intent.labels import Intent

# Homophones and slips of a pinyin keyboard, mapped to the word meant. Longest first when applied.
TYPOS: dict[str, str] = {
    "鸡金": "基金",
    "机金": "基金",
    "基斤": "基金",
    "赎会": "赎回",
    "熟回": "赎回",
    "属回": "赎回",
    "申够": "申购",
    "申构": "申购",
    "手续废": "手续费",
    "手序费": "手续费",
    "侧评": "测评",
    "策评": "测评",
    "定头": "定投",
    "订投": "定投",
    "矛台": "茅台",
    "毛台": "茅台",
    "宁得": "宁德",
    "用金": "佣金",
    "头诉": "投诉",
    "偷诉": "投诉",
    "人公": "人工",
    "客腹": "客服",
    "理才": "理财",
    "持舱": "持仓",
    "亏顺": "亏损",
    "股漂": "股票",
    "蛇评": "测评",
}
_TYPO = re.compile("|".join(sorted(map(re.escape, TYPOS), key=len, reverse=True)))
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, typos fixed, whitespace removed.

    Whitespace carries no meaning in Chinese text and clients type it at random; English
    patterns below are written without spaces for that reason.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub("", _TYPO.sub(lambda m: TYPOS[m.group(0)], folded))


class Rule(NamedTuple):
    name: str
    label: Intent
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None


def _p(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


_QUESTION = _p(r"吗|么|呢|[?？]", "要不要|该不该|能不能|可不可以|是不是|合适|适合|值得|值不值|怎么样|咋样|如何|行不行|好不好|还是")
_TRADE_VERB = r"(买入?|卖出?|卖掉|卖了|抛|申购|认购|赎回|下单|下个单|清仓|清掉|平仓|转换|撤单|挂单|挂个|定投|加仓|减仓|补仓|建仓|止损|止盈)"
_ACCOUNT_WORDS = _p("开通|权限|开户|销户|注销|测评|风评|密码|资金账户|股东账户|基金账户|转户|转托管|绑卡|解绑|实名|登录|登陆")

RULES: tuple[Rule, ...] = (
    Rule(
        "harmful",
        "out_of_scope",
        _p(
            "洗钱|洗白|洗一下|洗干净|来路不明|黑钱|逃税|偷税|漏税|避税|内幕(消息|交易|信息)|老鼠仓|坐庄|拉盘|砸盘|对倒|操纵",
            r"(借|租|卖|用)(用)?(别人|他人|朋友|亲戚|家人)的?(身份证|账户|账号|银行卡|证券账户)",
            r"(账户|账号|银行卡|身份证|证券账户)(借|租|卖)(给|出)",
            "出借(账户|银行卡|身份证)|假(的)?(流水|证明|材料|身份证|合同)|伪造|代炒|代客理财|帮我炒股的老师|赌博|博彩|套现|黑客|破解",
        ),
    ),
    Rule("self_harm", "distress", _p("不想活|活不下去|想死|去死|跳楼|跳河|轻生|自杀|结束(自己|生命)|一了百了")),
    Rule(
        "order",
        "trade_request",
        _p(
            rf"(帮|替|给|代|麻烦)(我|俺)(把[^,，。!！?？]{{0,14}})?(全部|都|先|直接|马上|立刻|现在)?{_TRADE_VERB}",
            r"(帮|替|代)(我|俺)(操作|交易|下单)",
            r"^(把|将)(我的)?[^,，。!！?？]{1,14}(全部|都|全|一半)?(卖了|卖掉|清仓|清了|赎回|抛了|抛掉|转成|换成)",
            r"(撤单|撤销.{0,6}(委托|订单|单子)|改单|条件单|止损单|止盈单|预约(买|卖|申购|赎回))",
            r"^(现在|马上|立刻|立即|赶紧|快|直接)?(下单)?(买入?|卖出?|申购|赎回|加仓|抛)\d+(股|手|份|块|元|万)",
        ),
        unless=_p("帮我(看|分析|瞅|查|算|评估|诊断|研究|解释|讲)|怎么样|吗|么|[?？]|要不要|该不该|是不是|能不能|多少|几"),
    ),
    Rule(
        "order_even_if_asked",
        "trade_request",
        _p(
            r"(帮|替|代)(我|俺)(把[^,，。!！?？]{0,14})?(全部|都|先|直接|马上|立刻|现在)?(买入?|卖出?|卖掉|卖了|抛|申购|赎回|下单|清仓|撤单)"
        ),
        unless=_p("帮我(看|分析|瞅|查|算|评估|诊断|研究|解释|讲)|能不能帮|可以帮我.{0,4}(吗|么)|会不会帮"),
    ),
    Rule(
        "distress",
        "distress",
        _p(
            "睡不着|失眠|好慌|心慌|慌了|慌死|好怕|害怕|很怕|怕死|恐慌|崩溃|撑不住|受不了|扛不住|绝望|天塌|救命|救救|想哭|哭了|哭死",
            "后悔死|悔死|都怪我|怪我自己|我太蠢|我真蠢|我真傻|我好傻|心态(崩|炸)|吓死|焦虑|emo|抑郁|难受死|心痛|心碎|割肉",
            r"(老婆|老公|媳妇|家里人?|爸妈|父母)(知道|发现|骂)|不敢(告诉|跟|和|让|看)|(亏|跌|赔|套).{0,10}怎么办(啊|呀|哇)",
        ),
    ),
    Rule(
        "complaint_or_human",
        "complaint_or_human",
        _p(
            "投诉|举报|证监会|12386|消协|违规|违法|骗子|骗人|骗钱|坑人|坑钱|坑我|害我|黑心|忽悠|误导|欺骗|虚假宣传|乱推荐|乱扣|乱收",
            "赔偿|赔钱|赔我|退钱|还我钱|讨(个)?说法|给(我)?(个)?说法|凭什么|没人(管|处理|回|理)|管不管|太差劲|态度(太)?差|垃圾",
            r"(找|要|转|换|接|让|叫|联系)(个|一下)?(真人|人工|客服|客户经理|投资顾问|投顾|理财经理|经理|工作人员)",
            "转人工|人工客服|人工服务|真人客服|我的(投资顾问|投顾|客户经理|理财经理)",
            r"(talk|speak|chat)(to|with)a?(real)?(human|person)|humanplease|realperson|liveagent|humanagent|customerservice",
        ),
    ),
    Rule(
        "how_to_trade",
        "trade_request",
        _p(
            rf"(怎么|怎样|如何|在哪|哪里|去哪|咋|从哪)(里|儿)?(才能|可以|能)?{_TRADE_VERB}",
            rf"{_TRADE_VERB}(的)?(入口|按钮|页面|在哪|在哪里|怎么操作|怎么弄|怎么搞|步骤|流程)",
            r"怎么把.{0,12}(取出|转出|提现|拿出|卖|赎回|换成|转到)",
        ),
        unless=_ACCOUNT_WORDS,
    ),
    Rule(
        "fees",
        "fees",
        _p(
            r"(?<![消浪话学电水车油])费(?![劲心时力])|佣金|印花税|利息|收费|免费|手续|万分之|费率",
        ),
    ),
    Rule(
        "account",
        "account_service",
        _p(
            "开通|权限|开户|销户|注销|测评|风评|密码|资金账户|股东账户|基金账户|转户|转托管|绑卡|解绑|实名|登录|登陆|验证码",
            r"(换|改|更换|变更|修改|更新)(绑定的?)?(手机|手机号|银行卡|卡|地址|证件|身份证|预留)",
            r"身份证(过期|到期)|证件(过期|到期)|对账单|交割单|流水单|闪退|卡死|打不开|登不上|白屏|app(更新|升级|怎么|老是|一直)",
        ),
        # "测评是稳健型 X我能不能买" asks whether to buy; the assessment is only context.
        unless=_p("我能买|能不能买|能买吗|能买不|可以买吗|适合我|适不适合"),
    ),
)

# Hints for the labels the embedding decides; the classifier adds them to its probabilities.
HINTS: tuple[Rule, ...] = (
    Rule(
        "chitchat",
        "chitchat",
        _p(r"^(你好|您好|hi|hello|嗨|哈喽|在吗|在不|谢谢|多谢|感谢|thx|thanks|ok|好的|好滴|嗯|拜拜|再见|晚安|早上好|早安)"),
    ),
    Rule(
        "suitability",
        "product_suitability",
        _p(
            "适合我|我能买|我可以买|能不能买|能买吗|可以买吗|值得买|值不值得|能进吗|能上车|上车|抄底|梭哈|推荐|买点什么|买哪|该买|要不要买|入手|还要不要再买"
        ),
    ),
    Rule(
        "own_holdings",
        "own_holdings",
        _p(
            "我的|我买的|我手里|我手上|我持有|我拿的|我那|拿了.{0,4}(年|个月|天)|持仓|仓位|我账户|成本价|浮亏|浮盈|套牢|被套|回本|解套|收益(怎么样|多少)"
        ),
    ),
)


def decide(text: str) -> Rule | None:
    """The first rule that decides the message's intent, or None."""
    normalized = normalize(text)
    for rule in RULES:
        if rule.pattern.search(normalized) and not (rule.unless and rule.unless.search(normalized)):
            return rule
    return None


def hint(text: str) -> Rule | None:
    """A weaker rule that leans towards one of the labels the rules do not decide."""
    normalized = normalize(text)
    return next((r for r in HINTS if r.pattern.search(normalized)), None)
