"""The batch auto-annotation run and the one-image detect, around any Detector.

Images arrive decoded at the model's size, in membership order, from the prefetcher (prefetch.py),
which decodes ahead while the model works. Each image's predictions are written in a transaction of
its own (writes.py) together with the job's checkpoint, so a cancel stops at the next image with
every finished image whole, and a requeued job resumes after the last image it committed. Imported by
the job handlers only (it needs a Detector, which needs torch).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from sqlalchemy.orm import Session

from shelfscope.jobs import service as jobs
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.ml.detectors.base import Detector, input_size
from shelfscope.od.ai.decode import decode_for_model
from shelfscope.od.ai.labels import LabelResolver
from shelfscope.od.ai.predictions import Prediction, prepare
from shelfscope.od.ai.prefetch import Decoded, Prefetcher
from shelfscope.od.ai.schemas import (
    AnnotatePayload,
    AnnotateResult,
    ClassCount,
    DetectOut,
    DetectPayload,
    SkippedImage,
)
from shelfscope.od.ai.scope import Work, count_scope
from shelfscope.od.ai.writes import (
    ImagePredictions,
    NotCommitted,
    Written,
    commit_without_writing,
    write_image,
    write_images,
)
from shelfscope.od.annotations import store

# Skipped images listed in the result (all are counted and logged).
_MAX_SKIPPED_LISTED = 100
_DEFAULT_BATCH = 4
# An image that wrote nothing (not decoded, or no longer in the dataset).
_NOTHING = Written(member_found=False)


def batches(items: Iterator[Decoded], size: int) -> Iterator[list[Decoded]]:
    batch: list[Decoded] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class AnnotateRun:
    """One attempt of an `od.ai.annotate.run` job: resumes from the checkpoint of an earlier attempt."""

    def __init__(self, ctx: JobContext, payload: AnnotatePayload, detector: Detector) -> None:
        self.ctx, self.payload, self.detector = ctx, payload, detector
        self.labels = LabelResolver(ctx.db, payload)
        self.prompts = [p.text for p in payload.prompts]
        self.state = self._resume()
        self.started = time.monotonic() - self.state.timings.wall_s
        # The detector's forward clock runs across jobs (it is cached): this run's share is the delta.
        self.forward_base = self._forward_clock() - self.state.timings.forward_s

    def _resume(self) -> AnnotateResult:
        fresh = AnnotateResult(
            dataset_id=self.payload.dataset_id,
            dataset_name=self.payload.dataset_name,
            model=self.payload.model,
        )
        with self.ctx.db.read() as session:
            saved = jobs.get_job(session, self.ctx.job_id).result if self.ctx.attempt > 1 else None
            state = AnnotateResult.model_validate(saved) if saved and "images_done" in saved else fresh
            left = count_scope(session, self.payload, state.last_dataset_image_id)
        state.images_total = state.images_done + left
        if state.images_done:
            self.ctx.log(f"resuming after {state.images_done} of {state.images_total} images")
        return state

    def run(self) -> AnnotateResult:
        size = self.payload.batch_size or int(getattr(self.detector, "batch_size", _DEFAULT_BATCH))
        prefetch = Prefetcher(
            self.ctx, self.payload, self.detector, self.state.last_dataset_image_id, 2 * size
        )
        self.ctx.progress(self._fraction(), self._stage())
        with prefetch as items:
            for batch in batches(items, size):
                self.ctx.check_cancelled()
                self._run_batch(batch)
        self.state.timings.wall_s = round(time.monotonic() - self.started, 3)
        self.state.timings.forward_s = round(self._forward_clock() - self.forward_base, 3)
        self.ctx.progress(1.0, self._stage())
        return self.state

    def _run_batch(self, batch: list[Decoded]) -> None:
        ready = [(item, item.image) for item in batch if item.image is not None]
        started = time.monotonic()
        found = self.detector.predict(
            [image.image for _, image in ready], self.prompts, self.payload.threshold
        )
        self.state.timings.model_s = round(self.state.timings.model_s + time.monotonic() - started, 3)
        results = {
            item.work.member_id: (image, result) for (item, image), result in zip(ready, found, strict=True)
        }
        self.labels.resolve_named([label for result in found for label in result.labels])
        outcomes: list[tuple[Work, list[Prediction] | None, str | None]] = []
        unknown = 0
        for item in batch:
            if item.work.member_id not in results:
                self.ctx.log(
                    f"{item.work.filename} (image {item.work.image_id}) skipped: {item.error}", "warning"
                )
                outcomes.append((item.work, None, item.error or "not decoded"))
                continue
            image, result = results[item.work.member_id]
            prepared = prepare(
                result,
                image.scale,
                self.labels.class_of,
                nms_iou=self.payload.nms_iou,
                max_boxes=self.payload.max_boxes_per_image,
            )
            unknown += prepared.unknown_dropped
            outcomes.append((item.work, prepared.predictions, None))
        self._commit(outcomes, unknown)

    def _commit(self, outcomes: list[tuple[Work, list[Prediction] | None, str | None]], unknown: int) -> None:
        """The batch's predictions and the checkpoint after its last image, in one transaction: a
        cancel or a dead worker leaves each image of the batch whole or untouched."""
        stored = [(work, predictions) for work, predictions, _ in outcomes if predictions is not None]
        after: list[AnnotateResult] = []

        def guard(session: Session, written: list[Written]) -> bool:
            by_member = {work.member_id: w for (work, _), w in zip(stored, written, strict=True)}
            state = self.state.model_copy(deep=True)
            state.unknown_dropped += unknown
            for work, _, skipped in outcomes:
                state = self._advanced(state, work, by_member.get(work.member_id, _NOTHING), skipped)
            after.append(state)
            return jobs.checkpoint(session, self.ctx.job_id, self.ctx.worker, state.model_dump(mode="json"))

        started = time.monotonic()
        try:
            if stored:
                images = [ImagePredictions(work.member_id, predictions) for work, predictions in stored]
                write_images(self.ctx.db, images, self.payload.model, self.ctx.user_id, guard)
            else:
                commit_without_writing(self.ctx.db, lambda session, _: guard(session, []))
        except NotCommitted:
            raise JobCancelled(f"job {self.ctx.job_id} was cancelled") from None
        self.state = after[-1]
        self.state.timings.write_s = round(self.state.timings.write_s + time.monotonic() - started, 3)
        self.ctx.progress(self._fraction(), self._stage())

    def _advanced(
        self, state: AnnotateResult, work: Work, written: Written, skipped: str | None
    ) -> AnnotateResult:
        """`state` (a copy this batch owns) once this image is committed."""
        state.images_done += 1
        state.images_total = max(state.images_total, state.images_done)
        state.last_dataset_image_id = work.member_id
        state.predictions += len(written.new_rows)
        state.duplicates_dropped += written.duplicates
        counts = {c.class_id: c.count for c in state.counts}
        for row in written.new_rows:
            counts[row["class_id"]] = counts.get(row["class_id"], 0) + 1
        state.counts = [
            ClassCount(class_id=class_id, name=self.labels.name(class_id), count=n)
            for class_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        if skipped is not None and len(state.skipped) < _MAX_SKIPPED_LISTED:
            state.skipped.append(SkippedImage(image_id=work.image_id, reason=skipped[:500]))
        state.timings.wall_s = round(time.monotonic() - self.started, 3)
        state.timings.forward_s = round(self._forward_clock() - self.forward_base, 3)
        return state

    def _forward_clock(self) -> float:
        return float(getattr(self.detector, "forward_s", 0.0))

    def _fraction(self) -> float:
        total = self.state.images_total
        return self.state.images_done / total if total else 1.0

    def _stage(self) -> str:
        return f"{self.state.images_done} of {self.state.images_total} images"


def detect_one(ctx: JobContext, payload: DetectPayload, detector: Detector) -> DetectOut:
    """One image: decoded, run, stored like the batch (replacing this model's pending proposals)."""
    with ctx.db.read() as session:
        member, image = store.member(session, payload.dataset_id, payload.image_id)
        work = Work(
            member.id, image.id, image.storage_key, image.filename, image.width, image.height, image.format
        )

    from shelfscope.ml.resize import resize_rgb  # torch: workers only

    def sizer(width: int, height: int) -> tuple[int, int]:
        return input_size(detector, width, height)

    with ctx.storage.open(work.storage_key) as data:
        # The same decode and resize as the batch (prefetch.py), so both give the model equal pixels.
        decoded = decode_for_model(
            data,
            work.filename,
            work.width,
            work.height,
            sizer,
            memory_limit_bytes=ctx.settings.decode_memory_bytes,
            resize=resize_rgb,
        )
    labels = LabelResolver(ctx.db, payload)
    (found,) = detector.predict([decoded.image], [p.text for p in payload.prompts], payload.threshold)
    labels.resolve_named(found.labels)
    prepared = prepare(
        found, decoded.scale, labels.class_of, nms_iou=payload.nms_iou, max_boxes=payload.max_boxes_per_image
    )
    try:
        written = write_image(
            ctx.db,
            work.member_id,
            payload.model,
            prepared.predictions,
            ctx.user_id,
            lambda session, _: jobs.hold_running_job(session, ctx.job_id, ctx.worker),
        )
    except NotCommitted:
        raise JobCancelled(f"job {ctx.job_id} was cancelled") from None
    return DetectOut(
        annotations=[store.annotation_out(row, work.image_id) for row in written.new_rows],
        replaced_ids=written.replaced_ids,
        previous_revision=written.previous_revision,
        revision=written.revision,
    )
