"""verify-log, checkpoint-log, load-demo and worker as real processes on the demo."""

import json
import signal
import time

from cpaudit.demo.data import PASSWORD

from .scenarios import scenario

CHECKPOINTS = "checkpoints/log-checkpoints.jsonl"


def head(site) -> tuple[int, str]:
    return tuple(site.sql("SELECT seq, digest FROM core_loghead WHERE id = 1")[0])


def checkpoint_lines(site) -> list[dict]:
    path = site.data_dir / CHECKPOINTS
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@scenario("verify-log")
def verify_an_intact_then_a_rewritten_log(site, demo):
    seq, digest = head(site)
    done = site.run("verify-log")
    assert (done.code, done.out) == (0, [f"OK\t{site.log_count()} 条日志完整，链头 #{seq} {digest}"]), done
    ahead = site.work_dir / "ahead.jsonl"  # a checkpoint of entries the log no longer has: a cut tail
    ahead.write_text(json.dumps({"seq": seq + 2, "digest": "0" * 64}) + "\n", encoding="utf-8")
    done = site.run("verify-log", "--checkpoint", ahead)
    assert done.code == 1 and done.out and all(line.startswith("FAIL\t") for line in done.out), done
    done = site.run("verify-log", "--checkpoint", site.work_dir / "none.jsonl")
    assert (done.code, done.err) == (2, [f"检查点文件不存在：{site.work_dir / 'none.jsonl'}"]), done
    # Someone with database access lifts the guard and rewrites an entry.
    if site.database.postgres:
        site.execute("ALTER TABLE core_actionlog DISABLE TRIGGER USER",
                     "UPDATE core_actionlog SET object_repr = '改过' WHERE seq = 5")
    else:
        site.execute("DROP TRIGGER core_actionlog_no_update",
                     "UPDATE core_actionlog SET object_repr = '改过' WHERE seq = 5")
    done = site.run("verify-log")
    assert (done.code, done.out) == (1, ["FAIL\t第 5 条日志内容与其摘要不符（被修改）"]), done


@scenario("checkpoint-log")
def checkpoint_to_a_file_and_to_the_data_dir(site, demo):
    seq, digest = head(site)
    path = site.work_dir / "cp.jsonl"
    done = site.run("checkpoint-log", "-o", path)
    assert (done.code, done.out, done.err) == (0, [f"{seq}\t{digest}"], []), done
    point = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert (point["seq"], point["digest"], point["reason"]) == (seq, digest, "manual")
    assert site.run("verify-log", "--checkpoint", path).code == 0
    before = len(checkpoint_lines(site))
    assert site.run("checkpoint-log").code == 0
    assert len(checkpoint_lines(site)) == before + 1 and checkpoint_lines(site)[-1]["seq"] == seq
    assert site.log_count() == seq  # checkpointing writes outside the log


def account_table(done) -> list[str]:
    return done.out[done.out.index("演示账号："):]


@scenario("load-demo")
def load_once_then_nothing_to_do(site, demo):
    first = demo.load
    assert first.out[0].startswith("演示数据已写入：新建"), first
    assert f"密码（所有演示账号）：{PASSWORD}" in first.out and first.out[-1] == "访问 http://127.0.0.1:8000/ 登录"
    assert {"jx_staff", "bd_staff", "hb_staff", "auditadmin"} <= {line.split()[0] for line in account_table(first)
                                                                 if line.strip() and line[0].isalnum()}
    before = site.log_count()
    flag = ("--allow-non-sqlite",) if site.database.postgres else ()
    again = site.run("load-demo", *flag, env={"PORT": 8123})
    assert again.code == 0 and again.out[0] == "演示数据已存在，未作任何修改。", again
    assert account_table(again)[:-1] == account_table(first)[:-1]
    assert again.out[-1] == "访问 http://127.0.0.1:8123/ 登录"  # PORT reaches the command through settings
    assert site.log_count() == before and site.run("verify-log").code == 0
    if site.database.postgres:  # a bare load-demo never writes into a non-SQLite database
        refused = site.run("load-demo")
        assert refused.code == 1 and "postgresql" in "\n".join(refused.err), refused
        assert site.log_count() == before


@scenario("worker")
def worker_once_runs_what_is_queued(site, demo):
    pk = site.enqueue("registry.export", "bd_staff", {"filters": {}})
    done = site.run("worker", "--once")
    assert (done.code, done.out, done.err) == (0, ["1 个任务已执行"], []), done
    job = site.job(pk)
    assert job["status"] == "done" and job["message"].startswith("已导出 "), job
    assert (site.data_dir / "jobs" / job["result_file"]).is_file()
    assert site.run("worker", "--once").out == ["0 个任务已执行"]


@scenario("worker")
def worker_loop_checkpoints_daily_and_runs_jobs(site, demo):
    points = len(checkpoint_lines(site))
    pk = site.enqueue("registry.export", "jx_staff", {"filters": {}})
    worker = site.start("worker", "--interval", "0.2")
    try:
        deadline = time.monotonic() + 60
        while site.job(pk)["status"] in ("queued", "running") and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker did not run the job within 60 s"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert out.splitlines()[0] == "后台任务进程已启动", (out, err)
    assert site.job(pk)["status"] == "done", (site.job(pk), err)
    daily = checkpoint_lines(site)[points:]
    assert [p["reason"] for p in daily] == ["daily"], daily
