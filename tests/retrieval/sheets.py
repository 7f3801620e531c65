"""A product sheet in the knowledge base's Markdown format, for tests that build a small corpus."""

SHEET = """---
id: {id}
title: {title}
type: product_sheet
publisher: 示例基金
date: 2026-06-30
audience: public
products: ["{code}"]
---
# {title}

{body}
"""
