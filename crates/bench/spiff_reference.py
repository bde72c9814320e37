#!/usr/bin/env python3
"""SpiffWorkflow reference for `fazhi-bench transitions` (docs/benchmarks.md).

Runs the 12345 ticket process in memory with SpiffWorkflow (BPMN): create -> dispatch -> accept
-> reply -> revisit, each a user task whose data is set as the service's inputs would be, with an
exclusive gateway after the revisit that reopens the ticket (back to handling) when the caller
was dissatisfied, as `case_types/hotline_ticket/case_type.toml` does. Nothing is persisted.

Usage: spiff_reference.py --tickets N --reopen-every K [--seconds S]
Prints one JSON object: transitions, seconds, transitions_per_s.
"""

import argparse
import json
import time

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.util.task import TaskState

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://example.org/fazhi">
  <bpmn:process id="ticket" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="create"/>
    <bpmn:userTask id="create" name="受理"/>
    <bpmn:sequenceFlow id="f1" sourceRef="create" targetRef="dispatch"/>
    <bpmn:userTask id="dispatch" name="派单"/>
    <bpmn:sequenceFlow id="f2" sourceRef="dispatch" targetRef="accept"/>
    <bpmn:userTask id="accept" name="签收"/>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="reply"/>
    <bpmn:userTask id="reply" name="答复"/>
    <bpmn:sequenceFlow id="f4" sourceRef="reply" targetRef="revisit"/>
    <bpmn:userTask id="revisit" name="回访"/>
    <bpmn:sequenceFlow id="f5" sourceRef="revisit" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f7"/>
    <bpmn:sequenceFlow id="f6" sourceRef="gw" targetRef="reopen">
      <bpmn:conditionExpression>satisfaction == '不满意' and not reopened</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f7" sourceRef="gw" targetRef="end"/>
    <bpmn:userTask id="reopen" name="重办"/>
    <bpmn:sequenceFlow id="f8" sourceRef="reopen" targetRef="reply"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

INPUTS = {
    "create": {"channel": "电话", "category": "投诉", "content": "小区门口占道经营，影响通行"},
    "dispatch": {"assignee_department": "enforcement"},
    "accept": {},
    "reply": {"reply": "已现场核查并处理"},
    "reopen": {"reason": "回访不满意，重新办理", "reopened": True},
}


def run(tickets: int, reopen_every: int, seconds: float) -> dict:
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(BPMN.encode()), filename="ticket.bpmn")
    spec = parser.get_spec("ticket")
    transitions = 0
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for i in range(tickets):
        if time.perf_counter() > deadline:
            break
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        dissatisfied = reopen_every > 0 and i % reopen_every == 0
        while not wf.is_completed():
            ready = wf.get_tasks(state=TaskState.READY)
            if not ready:
                raise RuntimeError("no ready task in an unfinished workflow")
            task = ready[0]
            name = task.task_spec.name
            data = dict(INPUTS.get(name, {}))
            if name == "create":
                data["reopened"] = False
            if name == "revisit":
                data["satisfaction"] = (
                    "不满意" if dissatisfied and not task.data.get("reopened") else "满意"
                )
            task.data.update(data)
            task.run()
            transitions += 1
            wf.do_engine_steps()
        done += 1
    secs = time.perf_counter() - start
    return {
        "engine": "SpiffWorkflow",
        "tickets": done,
        "transitions": transitions,
        "seconds": secs,
        "transitions_per_s": transitions / secs if secs > 0 else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--reopen-every", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60.0)
    a = ap.parse_args()
    print(json.dumps(run(a.tickets, a.reopen_every, a.seconds)))


if __name__ == "__main__":
    main()
