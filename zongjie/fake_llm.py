"""Deterministic stand-in chat models: for tests, and for the app's offline demo mode (ZONGJIE_FAKE_LLM=1).

`TemplateChatModel` writes plausible 公文 prose from the facts block of our own prompts, so the
whole pipeline runs without any model; `ScriptedChatModel` replays given answers for unit tests.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

Responder = Callable[[list[BaseMessage]], str]


class _StreamingFake(BaseChatModel):
    """Shared plumbing: subclasses only decide the text; streaming yields it in small pieces."""

    chunk_chars: int = 8
    delay: float = 0.0  # per chunk; the e2e test uses it to see progress and the stop button

    def respond(self, messages: list[BaseMessage]) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        from langchain_core.messages import AIMessage

        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.respond(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self.respond(messages)
        for i in range(0, len(text), self.chunk_chars):
            if self.delay:
                time.sleep(self.delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i:i + self.chunk_chars]))


class ScriptedChatModel(_StreamingFake):
    """Replays `answers` in order (the last one repeats), or calls `responder` if given; records prompts."""

    answers: list[str] = []
    responder: Responder | None = None
    seen: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def respond(self, messages: list[BaseMessage]) -> str:
        self.seen.append(list(messages))
        if self.responder is not None:
            return self.responder(messages)
        index = min(len(self.seen) - 1, len(self.answers) - 1)
        return self.answers[index] if self.answers else ""


_FACTS = re.compile(r"【本节事实】\n(.*?)\n\n", re.S)
_FIELD = re.compile(r"^(文种|单位|时段|本节标题)：(.*)$", re.M)
_ORDINALS = "一二三四五六七八九十"


def _facts(prompt: str) -> list[str]:
    m = _FACTS.search(prompt)
    if not m:
        return []
    return [line[2:].strip().rstrip("。；;") for line in m.group(1).splitlines() if line.startswith("- ")]


class TemplateChatModel(_StreamingFake):
    """Builds each section from the prompt's facts only, so its drafts never invent anything."""

    @property
    def _llm_type(self) -> str:
        return "template-fake"

    def respond(self, messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        # The system prompt names 【本节事实】 too; the facts block itself is "【本节事实】" + newline.
        first = next((str(m.content) for m in messages if "【本节事实】\n" in str(m.content)), prompt)
        fields = dict(_FIELD.findall(first))
        items = _facts(first)
        if "修改要求：" in prompt:
            return self._revise(prompt, items)
        heading = fields.get("本节标题", "")
        if heading.startswith("开头"):
            verb = "汇报" if "汇报" in fields.get("文种", "") else "总结"
            return (f"{fields.get('时段', '今年以来')}，{fields.get('单位', '')}在上级党委和团组织的坚强领导下，"
                    f"坚持围绕中心、服务大局，扎实推进各项工作，取得了积极成效。现将有关情况{verb}如下：")
        if "问题" in heading:
            base = items or ["理论学习的系统性和深入性还有待加强", "工作创新意识不够强，载体不够丰富"]
            return "；".join(f"{_ORDINALS[i]}是{t}" for i, t in enumerate(base[:9])) + "。"
        if "计划" in heading or "打算" in heading:
            base = items or ["持续强化思想引领", "不断夯实基层基础", "着力提升服务实效"]
            return "；".join(f"{_ORDINALS[i]}是{t}" for i, t in enumerate(base[:9])) + "。"
        if not items:
            return "坚持把该项工作摆在重要位置，统筹谋划、扎实推进，取得了积极成效。"
        lines = [f"{_ORDINALS[i]}是{t}，进一步提升了工作实效。" for i, t in enumerate(items[:9])]
        return f"{heading.split('，')[0]}，坚持高标准谋划、高质量推进。" + "".join(lines)

    @staticmethod
    def _revise(prompt: str, items: list[str]) -> str:
        draft = prompt.split("原文：", 1)[-1].strip()
        instruction = re.search(r"修改要求：(.*)", prompt)
        wish = instruction.group(1) if instruction else ""
        if "精简" in wish or "精炼" in wish:
            return draft.split("。")[0] + "。" if "。" in draft else draft
        if "扩写" in wish:
            return draft + "在此基础上，坚持常态长效，持续巩固工作成果。"
        return "（已按要求修改）" + draft if draft != "（空）" else "；".join(items) + "。"
