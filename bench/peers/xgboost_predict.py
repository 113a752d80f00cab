"""Peer of bench/predict.mjs: XGBoost (Debian python3-xgboost) trains the two benchmark models, converts
them to ONNX TreeEnsembleClassifier (python3-onnx, by hand: onnxmltools is not packaged), and serves
its own predict for timing. JSON lines on stdin/stdout, as bench/harness.mjs's startPeer speaks.

Requests:
  {"op": "train", "model": "A"|"B", "x": path, "y": path, "rows": n, "cols": d, "out": stem}
      -> {"json": stem.json, "onnx": stem.onnx, "seconds": s}   (cached when both files exist)
  {"op": "predict", "json": path, "x": path, "rows": n, "cols": d, "threads": t, "reps": r}
      -> {"seconds": best of r, "head": the first 64 probabilities}
  {"op": "single", "json": path, "x": path, "rows": n, "cols": d, "calls": c} -> {"p50": s, "p99": s}
"""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb

PARAMS = {
    # Model A: 100 trees of depth 6 (depth-wise). Model B: 500 trees of up to 255 leaves (loss-guided).
    'A': ({'max_depth': 6, 'grow_policy': 'depthwise'}, 100),
    'B': ({'max_depth': 0, 'max_leaves': 255, 'grow_policy': 'lossguide'}, 500),
}


def load(path, rows, cols):
    return np.fromfile(path, dtype=np.float32, count=rows * cols).reshape(rows, cols)


def to_onnx(model_json, path):
    """XGBoost JSON -> ONNX ai.onnx.ml TreeEnsembleClassifier (binary:logistic, float32 '<' splits)."""
    import onnx
    from onnx import helper, TensorProto

    learner = json.loads(open(model_json).read().replace('NaN', 'null'))['learner']
    base = float(learner['learner_model_param']['base_score'])
    trees = learner['gradient_booster']['model']['trees']
    attrs = {k: [] for k in ['nodes_treeids', 'nodes_nodeids', 'nodes_featureids', 'nodes_values', 'nodes_modes',
                             'nodes_truenodeids', 'nodes_falsenodeids', 'nodes_missing_value_tracks_true',
                             'class_treeids', 'class_nodeids', 'class_ids', 'class_weights']}
    for t, tree in enumerate(trees):
        left, right = tree['left_children'], tree['right_children']
        for i in range(len(left)):
            attrs['nodes_treeids'].append(t)
            attrs['nodes_nodeids'].append(i)
            if left[i] == -1:
                attrs['nodes_featureids'].append(0)
                attrs['nodes_values'].append(0.0)
                attrs['nodes_modes'].append('LEAF')
                attrs['nodes_truenodeids'].append(0)
                attrs['nodes_falsenodeids'].append(0)
                attrs['nodes_missing_value_tracks_true'].append(0)
                attrs['class_treeids'].append(t)
                attrs['class_nodeids'].append(i)
                attrs['class_ids'].append(0)
                attrs['class_weights'].append(float(tree['split_conditions'][i]))
            else:
                attrs['nodes_featureids'].append(int(tree['split_indices'][i]))
                attrs['nodes_values'].append(float(tree['split_conditions'][i]))
                attrs['nodes_modes'].append('BRANCH_LT')
                attrs['nodes_truenodeids'].append(left[i])
                attrs['nodes_falsenodeids'].append(right[i])
                attrs['nodes_missing_value_tracks_true'].append(int(tree['default_left'][i]))
    node = helper.make_node('TreeEnsembleClassifier', ['X'], ['label', 'probabilities'], domain='ai.onnx.ml',
                            classlabels_int64s=[0, 1], post_transform='LOGISTIC',
                            base_values=[float(np.log(base / (1 - base)))], **attrs)
    graph = helper.make_graph([node], 'xgboost', [helper.make_tensor_value_info('X', TensorProto.FLOAT, [None, None])],
                              [helper.make_tensor_value_info('label', TensorProto.INT64, [None]),
                               helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, [None, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('ai.onnx.ml', 3)])
    model.ir_version = 8
    onnx.save(model, path)


def main():
    if '--probe' in sys.argv:
        print('xgboost %s, onnx %s' % (xgb.__version__, __import__('onnx').__version__))
        return
    boosters = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req['op'] == 'train':
                stem = req['out']
                seconds = 0.0
                if not (os.path.exists(stem + '.json') and os.path.exists(stem + '.onnx')):
                    params, rounds = PARAMS[req['model']]
                    p = {'objective': 'binary:logistic', 'tree_method': 'hist', 'eta': 0.1, 'max_bin': 255, 'seed': 0,
                         'nthread': req.get('threads', 2)}
                    p.update(params)
                    X = load(req['x'], req['rows'], req['cols'])
                    y = np.fromfile(req['y'], dtype=np.float32, count=req['rows'])
                    t0 = time.perf_counter()
                    booster = xgb.train(p, xgb.DMatrix(X, label=y, missing=np.nan), rounds)
                    seconds = time.perf_counter() - t0
                    booster.save_model(stem + '.json')
                    to_onnx(stem + '.json', stem + '.onnx')
                reply = {'json': stem + '.json', 'onnx': stem + '.onnx', 'seconds': seconds}
            elif req['op'] == 'predict':
                b = boosters.get(req['json'])
                if b is None:
                    b = boosters[req['json']] = xgb.Booster(model_file=req['json'])
                b.set_param({'nthread': req['threads']})
                X = load(req['x'], req['rows'], req['cols'])
                best = float('inf')
                out = None
                for _ in range(req.get('reps', 3) + 1):
                    t0 = time.perf_counter()
                    out = b.inplace_predict(X)
                    best = min(best, time.perf_counter() - t0)
                reply = {'seconds': best, 'head': [float(v) for v in out[:64]]}
            elif req['op'] == 'single':
                b = boosters.get(req['json'])
                if b is None:
                    b = boosters[req['json']] = xgb.Booster(model_file=req['json'])
                b.set_param({'nthread': 1})
                X = load(req['x'], req['rows'], req['cols'])
                lat = []
                for i in range(req['calls'] + 1000):
                    row = X[i % req['rows']:i % req['rows'] + 1]
                    t0 = time.perf_counter()
                    b.inplace_predict(row)
                    if i >= 1000:
                        lat.append(time.perf_counter() - t0)
                lat.sort()
                reply = {'p50': lat[len(lat) // 2], 'p99': lat[int(len(lat) * 0.99)]}
            elif req['op'] == 'load':
                # Loading the model from its binary form (UBJSON, XGBoost's compact format) in memory.
                raw = xgb.Booster(model_file=req['json']).save_raw('ubj')
                best = float('inf')
                for _ in range(req.get('reps', 5)):
                    t0 = time.perf_counter()
                    xgb.Booster(model_file=bytearray(raw))
                    best = min(best, time.perf_counter() - t0)
                reply = {'seconds': best, 'bytes': len(raw)}
            else:
                reply = {'error': 'unknown op %r' % req['op']}
        except Exception as e:  # answer, don't die: the bench reports it
            reply = {'error': repr(e)}
        sys.stdout.write(json.dumps(reply) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
