"""家庭 on the case page: the household as last determined, with its members."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class HouseholdBox(QGroupBox):
    """家庭: address, phone, payment account, income, expenses and assets, and the members."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("家庭", parent)
        summary_layout = QVBoxLayout(self)
        self.summary_text = QLabel()
        self.summary_text.setWordWrap(True)
        summary_layout.addWidget(self.summary_text)
        self.members = QTableWidget(0, 6)
        self.members.setHorizontalHeaderLabels(["姓名", "关系", "性别", "年龄", "身份证号码", "情况"])
        self.members.verticalHeader().setVisible(False)
        self.members.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.members.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((70, 50, 40, 40, 160)):
            self.members.setColumnWidth(i, w)
        summary_layout.addWidget(self.members)

    def show_household(self, household: dict[str, Any] | None, view: dict[str, Any] | None,
                       links: dict[str, Any] | None) -> None:
        h = household or {}
        income = "；".join(f"{i['member']} {i['type']} {i['amount']} 元/年" for i in h.get("income", [])) or "无"
        rigid = "；".join(f"{e['kind']} {e['amount']} 元/年" for e in h.get("rigid_expenses", [])) or "无"
        a = h.get("assets", {})
        claim = (links or {}).get("claim")
        claim_text = (f"临时救助申请：{claim['type_label']}，拟申请 {claim['amount']} 元，事由：{claim['cause'] or '—'}\n"
                      if claim else "")
        economy = (f"收入：{income}\n刚性支出：{rigid}\n"
                   f"财产：金融资产 {a.get('financial', '0')} 元，车辆 {a.get('vehicles', 0)} 辆，住房 {a.get('homes', 0)} 套"
                   + ("，有商业用房" if a.get("commercial_property") else ""))
        if "economic_data" in ((view or {}).get("benefit") or {}).get("pending", []):
            economy = "收入、支出和财产：待补录家庭经济状况（按花名册导入，尚未调查，复核时补录）"
        self.summary_text.setText(
            claim_text +
            f"{h.get('village_name', '')} {h.get('address', '')}  电话 {h.get('phone') or '—'}"
            f"  发放账户 {' '.join(v for v in (h.get('bank_name'), h.get('bank_account')) if v) or '未登记'}\n"
            + economy)
        members = h.get("members", [])
        self.members.setRowCount(len(members))
        for r, m in enumerate(members):
            for c, key in enumerate(("name", "relation", "sex", "age", "id_number", "notes")):
                self.members.setItem(r, c, QTableWidgetItem(str(m[key])))
        self.members.resizeRowsToContents()
        height = self.members.horizontalHeader().height() + 4
        height += sum(self.members.rowHeight(r) for r in range(len(members))) or 26
        self.members.setFixedHeight(height)
